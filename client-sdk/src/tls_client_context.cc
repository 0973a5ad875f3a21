#include "client-sdk/src/tls_client_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace vigil::client {

std::string TakeTlsError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

Result<std::shared_ptr<TlsClientContext>> TlsClientContext::Build(const TlsOptions& o) {
  if (!o.enabled) return std::shared_ptr<TlsClientContext>();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Error{ErrorCode::kInvalidArgument, "TLS: " + TakeTlsError()};
  std::shared_ptr<TlsClientContext> built(new TlsClientContext(ctx, o.sni));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  auto fail = [](const std::string& what) {
    return Error{ErrorCode::kInvalidArgument, "TLS: " + what + ": " + TakeTlsError()};
  };
  if (o.verify_peer) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const bool loaded = o.ca_cert_file.empty() && o.ca_cert_dir.empty()
                            ? SSL_CTX_set_default_verify_paths(ctx) == 1
                            : SSL_CTX_load_verify_locations(
                                  ctx, o.ca_cert_file.empty() ? nullptr : o.ca_cert_file.c_str(),
                                  o.ca_cert_dir.empty() ? nullptr : o.ca_cert_dir.c_str()) == 1;
    if (!loaded) return fail("cannot load the CA certificates");
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!o.cert_file.empty() && SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
    return fail("cannot load the client certificate " + o.cert_file);
  }
  if (!o.key_file.empty() &&
      SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return fail("cannot load the client key " + o.key_file);
  }
  return built;
}

TlsClientContext::~TlsClientContext() {
  SSL_CTX_free(ctx_);
}

}  // namespace vigil::client
