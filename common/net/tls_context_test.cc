#include "common/net/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <string>

namespace vigil::net {
namespace {

// A self-signed certificate and its key, written as PEM files under the test temp dir.
struct TestPair {
  std::string cert;
  std::string key;
};

TestPair WriteSelfSigned(const std::string& name, const char* pass = nullptr) {
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("vigil-test"), -1, -1, 0);
  X509_set_issuer_name(x, subject);
  X509_sign(x, pkey, EVP_sha256());
  TestPair p{::testing::TempDir() + name + ".crt", ::testing::TempDir() + name + ".key"};
  FILE* f = std::fopen(p.cert.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(p.key.c_str(), "w");
  if (pass != nullptr) {
    PEM_write_PrivateKey(f, pkey, EVP_aes_256_cbc(), nullptr, 0, nullptr, const_cast<char*>(pass));
  } else {
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  }
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(pkey);
  return p;
}

TEST(TlsProtocols, ParsesRedisWordsCaseInsensitively) {
  EXPECT_EQ(ParseTlsProtocols("").value(), kTlsV1_2 | kTlsV1_3);
  EXPECT_EQ(ParseTlsProtocols("TLSv1.2").value(), kTlsV1_2);
  EXPECT_EQ(ParseTlsProtocols("tlsv1 TLSV1.1  tlsv1.3").value(), kTlsV1 | kTlsV1_1 | kTlsV1_3);
  auto bad = ParseTlsProtocols("TLSv1.2 SSLv3");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', "
            "'TLSv1.2' and 'TLSv1.3'.");
}

TEST(TlsContext, RefusesWhatRedisRefusesInItsOrder) {
  TlsSettings s;
  EXPECT_EQ(TlsContext::Build(s).error(), "No tls-cert-file configured!");
  s.cert_file = "/nonexistent/server.crt";
  EXPECT_EQ(TlsContext::Build(s).error(), "No tls-key-file configured!");
  s.key_file = "/nonexistent/server.key";
  EXPECT_EQ(TlsContext::Build(s).error(),
            "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
            "tls-replication or tls-auth-clients are enabled!");
  s.ca_required = false;
  s.protocols = "TLSv9";
  EXPECT_NE(TlsContext::Build(s).error().find("Invalid tls-protocols"), std::string::npos);
  s.protocols = "";
  EXPECT_EQ(TlsContext::Build(s).error().rfind("Failed to load certificate: /nonexistent/", 0), 0u);
}

TEST(TlsContext, BuildsFromFilesAndChecksEachOne) {
  TestPair pair = WriteSelfSigned("tls-ctx-test");
  TlsSettings s;
  s.cert_file = pair.cert;
  s.key_file = pair.key;
  s.ca_cert_file = pair.cert;  // self-signed: it is its own CA
  auto built = TlsContext::Build(s);
  ASSERT_TRUE(built.ok()) << built.error();
  EXPECT_NE(built.value()->server(), nullptr);
  // Without a client pair, outgoing links present the server's.
  EXPECT_EQ(built.value()->client(), built.value()->server());
  s.client_cert_file = pair.cert;
  s.client_key_file = pair.key;
  built = TlsContext::Build(s);
  ASSERT_TRUE(built.ok()) << built.error();
  EXPECT_NE(built.value()->client(), built.value()->server());

  TlsSettings bad = s;
  bad.key_file = pair.cert;  // not a key
  EXPECT_EQ(TlsContext::Build(bad).error().rfind("Failed to load private key: " + pair.cert, 0),
            0u);
  bad = s;
  bad.ca_cert_file = "/nonexistent/ca.crt";
  EXPECT_EQ(TlsContext::Build(bad).error().rfind(
                "Failed to configure CA certificate(s) file/directory", 0),
            0u);
  bad = s;
  bad.ciphers = "NO-SUCH-CIPHER";
  EXPECT_EQ(TlsContext::Build(bad).error(), "Failed to configure ciphers: NO-SUCH-CIPHER");
  bad = s;
  bad.ciphersuites = "NO_SUCH_SUITE";
  EXPECT_EQ(TlsContext::Build(bad).error(), "Failed to configure ciphersuites: NO_SUCH_SUITE");
  bad = s;
  bad.dh_params_file = "/nonexistent/redis.dh";
  EXPECT_EQ(TlsContext::Build(bad).error().rfind("Failed to load /nonexistent/redis.dh: ", 0), 0u);
  bad = s;
  bad.dh_params_file = pair.cert;
  EXPECT_EQ(TlsContext::Build(bad).error(), pair.cert + ": failed to read DH params.");
}

TEST(TlsContext, EncryptedKeyNeedsItsPassphrase) {
  TestPair pair = WriteSelfSigned("tls-ctx-enc", "s3cret");
  TlsSettings s;
  s.cert_file = pair.cert;
  s.key_file = pair.key;
  s.ca_required = false;
  EXPECT_FALSE(TlsContext::Build(s).ok());
  s.key_file_pass = "wrong";
  EXPECT_FALSE(TlsContext::Build(s).ok());
  s.key_file_pass = "s3cret";
  auto built = TlsContext::Build(s);
  EXPECT_TRUE(built.ok()) << built.error();
}

}  // namespace
}  // namespace vigil::net
