#pragma once
// TlsClientContext: the OpenSSL client context a Client opens its TLS connections with, one for
// the data nodes and one for the sentinels, built once from TlsOptions: the CA that verifies
// the server, the client certificate a server that asks for one gets, the SNI name.
#include <memory>
#include <string>

#include "vigil/client/errors.h"
#include "vigil/client/options.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace vigil::client {

class TlsClientContext {
 public:
  // Null (no TLS) when !options.enabled. Errors name the file OpenSSL could not load.
  static Result<std::shared_ptr<TlsClientContext>> Build(const TlsOptions& options);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  SSL_CTX* ctx() const { return ctx_; }
  const std::string& sni() const { return sni_; }

 private:
  TlsClientContext(SSL_CTX* ctx, std::string sni) : ctx_(ctx), sni_(std::move(sni)) {}
  SSL_CTX* ctx_;
  std::string sni_;
};

// OpenSSL's latest error as text (its queue cleared), for error messages.
std::string TakeTlsError();

}  // namespace vigil::client
