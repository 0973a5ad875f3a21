#include "cli/server_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::cli {
namespace {

constexpr int kConnectTimeoutSeconds = 5;

}  // namespace

Result<std::unique_ptr<ServerConnection>> ServerConnection::Open(const std::string& host, int port,
                                                                 const CliTlsOptions& tls) {
  timeval tv{kConnectTimeoutSeconds, 0};
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, tv);
  if (c == nullptr) return Status::Error("Cannot allocate redis context");
  if (c->err != 0) {
    std::string err = c->errstr;
    redisFree(c);
    return Status::Error(err);
  }
  // The connect timeout must not become a read timeout: BLPOP and SUBSCRIBE wait for as long
  // as the server takes.
  timeval none{0, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
  std::unique_ptr<ServerConnection> conn(new ServerConnection(c));
  if (tls.enabled) {
    Status st = conn->StartTls(host, tls);
    if (!st.ok()) return st;
  }
  return conn;
}

namespace {

std::string OpenSslError(const char* what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  char buf[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  return std::string(what) + ": " + buf;
}

}  // namespace

Status ServerConnection::StartTls(const std::string& host, const CliTlsOptions& tls) {
  ssl_ctx_ = SSL_CTX_new(TLS_client_method());
  if (ssl_ctx_ == nullptr) return Status::Error(OpenSslError("Failed to create SSL_CTX"));
  SSL_CTX_set_options(ssl_ctx_, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3);
  if (tls.insecure) {
    SSL_CTX_set_verify(ssl_ctx_, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ssl_ctx_, SSL_VERIFY_PEER, nullptr);
    const bool loaded = tls.cacert.empty() && tls.cacertdir.empty()
                            ? SSL_CTX_set_default_verify_paths(ssl_ctx_) == 1
                            : SSL_CTX_load_verify_locations(
                                  ssl_ctx_, tls.cacert.empty() ? nullptr : tls.cacert.c_str(),
                                  tls.cacertdir.empty() ? nullptr : tls.cacertdir.c_str()) == 1;
    if (!loaded) return Status::Error("Invalid CA Certificate File/Directory");
  }
  if (!tls.cert.empty() && SSL_CTX_use_certificate_chain_file(ssl_ctx_, tls.cert.c_str()) != 1) {
    return Status::Error(OpenSslError("Invalid client certificate"));
  }
  if (!tls.key.empty() &&
      SSL_CTX_use_PrivateKey_file(ssl_ctx_, tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::Error(OpenSslError("Invalid private key"));
  }
  if (!tls.ciphers.empty() && SSL_CTX_set_cipher_list(ssl_ctx_, tls.ciphers.c_str()) != 1) {
    return Status::Error("Error while configuring ciphers");
  }
  if (!tls.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ssl_ctx_, tls.ciphersuites.c_str()) != 1) {
    return Status::Error("Error while setting cypher suites");
  }
  ssl_ = SSL_new(ssl_ctx_);
  if (ssl_ == nullptr) return Status::Error(OpenSslError("Failed to create SSL object"));
  // SNI as redis-cli sends it: --sni, else nothing (the host may be an address).
  if (!tls.sni.empty()) SSL_set_tlsext_host_name(ssl_, tls.sni.c_str());
  (void)host;
  SSL_set_fd(ssl_, context_->fd);
  ERR_clear_error();
  if (SSL_connect(ssl_) != 1) {
    std::string why = OpenSslError("SSL_connect failed");
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    return Status::Error(why);
  }
  return Status::Ok();
}

ServerConnection::~ServerConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
  redisFree(context_);
}

ssize_t ServerConnection::RawRead(char* buf, size_t n) {
  if (ssl_ == nullptr) return ::read(context_->fd, buf, n);
  size_t got = 0;
  ERR_clear_error();
  if (SSL_read_ex(ssl_, buf, n, &got) == 1) return ssize_t(got);
  const int err = SSL_get_error(ssl_, 0);
  if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) return 0;
  if (err != SSL_ERROR_SYSCALL) errno = EPROTO;
  return -1;
}

ssize_t ServerConnection::RawWrite(const char* buf, size_t n) {
  if (ssl_ == nullptr) return ::send(context_->fd, buf, n, MSG_NOSIGNAL);
  size_t put = 0;
  ERR_clear_error();
  if (SSL_write_ex(ssl_, buf, n, &put) == 1) return ssize_t(put);
  if (SSL_get_error(ssl_, 0) != SSL_ERROR_SYSCALL) errno = EPROTO;
  return -1;
}

Status ServerConnection::Send(const std::vector<std::string>& argv) {
  std::string out = resp::EncodeCommand(argv);
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = RawWrite(out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Error(std::strerror(errno));
    done += size_t(n);
  }
  return Status::Ok();
}

Result<resp::Value> ServerConnection::Read() {
  char buf[64 * 1024];
  while (true) {
    if (!in_.empty()) {
      size_t consumed = 0;
      resp::Value v;
      auto st = parser_.Parse(in_, &consumed, &v);
      if (st == resp::ReplyParser::Status::kValue) {
        in_.erase(0, consumed);
        return v;
      }
      if (st == resp::ReplyParser::Status::kError) return Status::Error(parser_.error());
    }
    ssize_t n = RawRead(buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return Status::Error("Server closed the connection");
    if (n < 0) return Status::Error(std::strerror(errno));
    in_.append(buf, size_t(n));
  }
}

Result<resp::Value> ServerConnection::Call(const std::vector<std::string>& argv) {
  Status st = Send(argv);
  if (!st.ok()) return st;
  return Read();
}

}  // namespace vigil::cli
