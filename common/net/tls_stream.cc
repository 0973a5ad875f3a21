#include "common/net/tls_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::net {

std::unique_ptr<TlsStream> TlsStream::Accept(const TlsContext& ctx, int fd, TlsAuthClients auth) {
  SSL* ssl = SSL_new(ctx.server());
  if (ssl == nullptr) return nullptr;
  switch (auth) {
    case TlsAuthClients::kNo:
      SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
      break;
    case TlsAuthClients::kOptional:
      SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
      break;
    case TlsAuthClients::kYes:
      SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  SSL_set_fd(ssl, fd);
  SSL_set_accept_state(ssl);
  return std::unique_ptr<TlsStream>(new TlsStream(ssl));
}

std::unique_ptr<TlsStream> TlsStream::Connect(const TlsContext& ctx, int fd,
                                              const std::string& sni) {
  SSL* ssl = SSL_new(ctx.client());
  if (ssl == nullptr) return nullptr;
  if (!sni.empty()) SSL_set_tlsext_host_name(ssl, sni.c_str());
  SSL_set_fd(ssl, fd);
  SSL_set_connect_state(ssl);
  return std::unique_ptr<TlsStream>(new TlsStream(ssl));
}

TlsStream::~TlsStream() {
  // No close_notify: the peer learns of the close from the socket, as with Redis, and a
  // shutdown here could block on a full socket.
  SSL_free(ssl_);
}

TlsIo TlsStream::Classify(int ret) {
  const int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return TlsIo::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return TlsIo::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return TlsIo::kClosed;
    case SSL_ERROR_SYSCALL: {
      const unsigned long queued = ERR_peek_error();
      if (queued == 0 && errno == 0) return TlsIo::kClosed;  // EOF without close_notify
      error_ = queued != 0 ? TakeOpenSslError() : std::strerror(errno);
      return queued == 0 && (errno == 0 || errno == ECONNRESET) ? TlsIo::kClosed : TlsIo::kError;
    }
    default: {
      error_ = TakeOpenSslError();
      // A refused certificate says why in plain words (expired, unknown CA, ...).
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        error_ +=
            std::string(" (certificate verify: ") + X509_verify_cert_error_string(verify) + ")";
      }
      return TlsIo::kError;
    }
  }
}

TlsIo TlsStream::Handshake() {
  ERR_clear_error();
  errno = 0;
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    handshake_done_ = true;
    return TlsIo::kDone;
  }
  TlsIo r = Classify(ret);
  // A peer that hangs up during the handshake (a plain client that gave up) is an error here.
  if (r == TlsIo::kClosed) {
    if (error_.empty()) error_ = "connection closed during the TLS handshake";
    return TlsIo::kError;
  }
  return r;
}

TlsIo TlsStream::Read(char* buf, size_t n, size_t* got) {
  ERR_clear_error();
  errno = 0;
  size_t done = 0;
  const int ret = SSL_read_ex(ssl_, buf, n, &done);
  read_wants_write_ = false;
  if (ret == 1) {
    *got = done;
    return TlsIo::kDone;
  }
  TlsIo r = Classify(ret);
  read_wants_write_ = r == TlsIo::kWantWrite;
  return r;
}

TlsIo TlsStream::Write(const char* buf, size_t n, size_t* put) {
  ERR_clear_error();
  errno = 0;
  size_t done = 0;
  const int ret = SSL_write_ex(ssl_, buf, n, &done);
  write_wants_read_ = false;
  if (ret == 1) {
    *put = done;
    return TlsIo::kDone;
  }
  TlsIo r = Classify(ret);
  write_wants_read_ = r == TlsIo::kWantRead;
  return r;
}

bool TlsStream::pending() const {
  // Decrypted bytes, or bytes of a record OpenSSL read but has not processed yet.
  return SSL_has_pending(ssl_) == 1;
}

std::string TlsStream::protocol() const {
  return SSL_get_version(ssl_);
}

SocketIo ReadSocket(int fd, TlsStream* tls, char* buf, size_t n, size_t* got, std::string* err) {
  if (tls == nullptr) {
    for (;;) {
      const ssize_t r = ::read(fd, buf, n);
      if (r > 0) {
        *got = size_t(r);
        return SocketIo::kData;
      }
      if (r == 0) return SocketIo::kClosed;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return SocketIo::kAgain;
      *err = std::strerror(errno);
      return SocketIo::kError;
    }
  }
  // SSL_read hands out one record (at most 16 KiB) per call: fill the buffer from as many as
  // have arrived, so a snapshot transfer is not read 16 KiB per loop pass. After a short record
  // with nothing left inside OpenSSL the kernel is most likely empty too, and asking again would
  // cost a read(2) that fails with EAGAIN on every request of a pipelined client (a third of
  // the syscalls of `redis-benchmark --tls -P 16`): stop there and let the event say when more
  // came.
  constexpr size_t kFullRecord = 16 * 1024;
  size_t total = 0;
  while (total < n) {
    size_t one = 0;
    const TlsIo r = tls->Read(buf + total, n - total, &one);
    if (r == TlsIo::kDone) {
      total += one;
      if (one < kFullRecord && !tls->pending()) break;
      continue;
    }
    if (total > 0) break;  // report the bytes; the condition comes back on the next call
    if (r == TlsIo::kWantRead || r == TlsIo::kWantWrite) return SocketIo::kAgain;
    if (r == TlsIo::kClosed) return SocketIo::kClosed;
    *err = tls->error();
    return SocketIo::kError;
  }
  *got = total;
  return SocketIo::kData;
}

SocketIo WriteSocket(int fd, TlsStream* tls, const char* buf, size_t n, size_t* put,
                     std::string* err) {
  if (tls == nullptr) {
    for (;;) {
      const ssize_t r = ::send(fd, buf, n, MSG_NOSIGNAL);
      if (r >= 0) {
        *put = size_t(r);
        return r > 0 ? SocketIo::kData : SocketIo::kAgain;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return SocketIo::kAgain;
      *err = std::strerror(errno);
      return SocketIo::kError;
    }
  }
  switch (tls->Write(buf, n, put)) {
    case TlsIo::kDone:
      return SocketIo::kData;
    case TlsIo::kWantRead:
    case TlsIo::kWantWrite:
      return SocketIo::kAgain;
    case TlsIo::kClosed:
      *err = "connection closed";
      return SocketIo::kError;
    case TlsIo::kError:
      break;
  }
  *err = tls->error();
  return SocketIo::kError;
}

}  // namespace vigil::net
