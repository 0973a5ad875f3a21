#include "common/net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <strings.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace vigil::net {
namespace {

// OpenSSL reads the key's passphrase through this callback; `userdata` is the std::string.
int PassphraseCallback(char* buf, int size, int, void* userdata) {
  const auto* pass = static_cast<const std::string*>(userdata);
  if (pass == nullptr || pass->empty() || pass->size() > size_t(size)) return -1;
  std::memcpy(buf, pass->data(), pass->size());
  return int(pass->size());
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

// What the accepting and the connecting contexts share: protocols, the certificate pair, the
// CA used to verify the peer, ciphers.
Result<CtxPtr> BaseContext(const TlsSettings& s, int protocols, bool client) {
  const std::string& cert = client ? s.client_cert_file : s.cert_file;
  const std::string& key = client ? s.client_key_file : s.key_file;
  const std::string& pass = client ? s.client_key_file_pass : s.key_file_pass;
  CtxPtr ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return Status::Error("Failed to create SSL_CTX: " + TakeOpenSslError());
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_options(c, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  // Clients (redis-cli among them) close without close_notify: that is an ordinary close.
  SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
#ifdef SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS
  SSL_CTX_set_options(c, SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS);
#endif
  if (!(protocols & kTlsV1)) SSL_CTX_set_options(c, SSL_OP_NO_TLSv1);
  if (!(protocols & kTlsV1_1)) SSL_CTX_set_options(c, SSL_OP_NO_TLSv1_1);
  if (!(protocols & kTlsV1_2)) SSL_CTX_set_options(c, SSL_OP_NO_TLSv1_2);
  if (!(protocols & kTlsV1_3)) SSL_CTX_set_options(c, SSL_OP_NO_TLSv1_3);
  // Output buffers move and are written in pieces (a std::string that grows between retries).
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Both directions verify the peer by default; an accepting connection relaxes it per
  // tls-auth-clients.
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_default_passwd_cb(c, &PassphraseCallback);
  SSL_CTX_set_default_passwd_cb_userdata(c, const_cast<std::string*>(&pass));
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(c, cert.c_str()) <= 0) {
    return Status::Error("Failed to load certificate: " + cert + ": " + TakeOpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM) <= 0) {
    return Status::Error("Failed to load private key: " + key + ": " + TakeOpenSslError());
  }
  // The passphrase lives in the caller's settings: forget it now the key is in.
  SSL_CTX_set_default_passwd_cb_userdata(c, nullptr);
  if (!s.ca_cert_file.empty() || !s.ca_cert_dir.empty()) {
    const char* file = s.ca_cert_file.empty() ? nullptr : s.ca_cert_file.c_str();
    const char* dir = s.ca_cert_dir.empty() ? nullptr : s.ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(c, file, dir) <= 0) {
      return Status::Error("Failed to configure CA certificate(s) file/directory: " +
                           TakeOpenSslError());
    }
  }
  if (!s.ciphers.empty() && !SSL_CTX_set_cipher_list(c, s.ciphers.c_str())) {
    ERR_clear_error();
    return Status::Error("Failed to configure ciphers: " + s.ciphers);
  }
  if (!s.ciphersuites.empty() && !SSL_CTX_set_ciphersuites(c, s.ciphersuites.c_str())) {
    ERR_clear_error();
    return Status::Error("Failed to configure ciphersuites: " + s.ciphersuites);
  }
  return ctx;
}

Status LoadDhParams(SSL_CTX* ctx, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return Status::Error("Failed to load " + path + ": " + std::strerror(errno));
  BIO* bio = BIO_new_fp(f, BIO_CLOSE);
  EVP_PKEY* params = bio != nullptr ? PEM_read_bio_Parameters(bio, nullptr) : nullptr;
  if (bio != nullptr) {
    BIO_free(bio);
  } else {
    std::fclose(f);
  }
  if (params == nullptr) {
    ERR_clear_error();
    return Status::Error(path + ": failed to read DH params.");
  }
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, params) <= 0) {  // takes ownership on success
    EVP_PKEY_free(params);
    return Status::Error("Failed to load DH params file: " + path + ": " + TakeOpenSslError());
  }
  return Status::Ok();
}

}  // namespace

std::string TakeOpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

Result<int> ParseTlsProtocols(const std::string& text) {
  std::istringstream in(text);
  int bits = 0;
  bool any = false;
  for (std::string word; in >> word;) {
    any = true;
    if (strcasecmp(word.c_str(), "tlsv1") == 0) {
      bits |= kTlsV1;
    } else if (strcasecmp(word.c_str(), "tlsv1.1") == 0) {
      bits |= kTlsV1_1;
    } else if (strcasecmp(word.c_str(), "tlsv1.2") == 0) {
      bits |= kTlsV1_2;
    } else if (strcasecmp(word.c_str(), "tlsv1.3") == 0) {
      bits |= kTlsV1_3;
    } else {
      return Status::Error(
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
          "and 'TLSv1.3'.");
    }
  }
  return any ? bits : int(kTlsV1_2 | kTlsV1_3);
}

Result<std::shared_ptr<TlsContext>> TlsContext::Build(const TlsSettings& s) {
  if (s.cert_file.empty()) return Status::Error("No tls-cert-file configured!");
  if (s.key_file.empty()) return Status::Error("No tls-key-file configured!");
  if (s.ca_required && s.ca_cert_file.empty() && s.ca_cert_dir.empty()) {
    return Status::Error(
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
        "tls-replication or tls-auth-clients are enabled!");
  }
  auto protocols = ParseTlsProtocols(s.protocols);
  if (!protocols.ok()) return protocols.status();
  auto server = BaseContext(s, protocols.value(), false);
  if (!server.ok()) return server.status();
  SSL_CTX* c = server.value().get();
  if (s.session_caching) {
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(c, long(s.session_cache_size));
    SSL_CTX_set_timeout(c, long(s.session_cache_timeout));
    static const unsigned char kSessionContext[] = "vigil";
    SSL_CTX_set_session_id_context(c, kSessionContext, sizeof(kSessionContext) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  }
  // OpenSSL 3 refuses client-initiated renegotiation unless allowed; older ones need the flag.
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
  SSL_CTX_set_options(c, SSL_OP_NO_CLIENT_RENEGOTIATION);
#endif
  SSL_CTX_set_options(c, SSL_OP_SINGLE_DH_USE);
  if (s.prefer_server_ciphers) SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!s.dh_params_file.empty()) {
    Status st = LoadDhParams(c, s.dh_params_file);
    if (!st.ok()) return st;
  } else {
    SSL_CTX_set_dh_auto(c, 1);
  }
  CtxPtr client;
  if (!s.client_cert_file.empty() && !s.client_key_file.empty()) {
    auto built = BaseContext(s, protocols.value(), true);
    if (!built.ok()) return built.status();
    client = std::move(built).value();
  }
  return std::shared_ptr<TlsContext>(
      new TlsContext(std::move(server).value().release(), client.release()));
}

TlsContext::~TlsContext() {
  SSL_CTX_free(server_);
  SSL_CTX_free(client_);
}

}  // namespace vigil::net
