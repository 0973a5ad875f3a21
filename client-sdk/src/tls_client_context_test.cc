// TLS options are checked when the client is created: a file OpenSSL cannot load is an
// invalid argument that names it, and no TLS means no context at all.
#include "client-sdk/src/tls_client_context.h"

#include <gtest/gtest.h>

#include "vigil/client/client.h"

namespace vigil::client {
namespace {

TEST(TlsClientContext, DisabledBuildsNothing) {
  auto built = TlsClientContext::Build(TlsOptions{});
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(*built, nullptr);
}

TEST(TlsClientContext, InsecureNeedsNoFiles) {
  TlsOptions o;
  o.enabled = true;
  o.verify_peer = false;
  o.sni = "node.example";
  auto built = TlsClientContext::Build(o);
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  ASSERT_NE(*built, nullptr);
  EXPECT_EQ((*built)->sni(), "node.example");
}

TEST(TlsClientContext, UnreadableFilesAreInvalidArgumentsNamingThem) {
  TlsOptions o;
  o.enabled = true;
  o.ca_cert_file = "/nonexistent/ca.crt";
  auto bad_ca = TlsClientContext::Build(o);
  ASSERT_FALSE(bad_ca.ok());
  EXPECT_EQ(bad_ca.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_ca.error().message.find("CA certificates"), std::string::npos);

  o.verify_peer = false;
  o.cert_file = "/nonexistent/client.crt";
  auto bad_cert = TlsClientContext::Build(o);
  ASSERT_FALSE(bad_cert.ok());
  EXPECT_NE(bad_cert.error().message.find("/nonexistent/client.crt"), std::string::npos);
}

}  // namespace
}  // namespace vigil::client
