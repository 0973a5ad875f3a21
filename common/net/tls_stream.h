#pragma once
// TLS over a non-blocking socket the caller polls (libevent events on the raw fd), the way
// Redis's tls.c drives OpenSSL: SSL_read/SSL_write return WANT_READ or WANT_WRITE, and the
// caller waits for that readiness before retrying the same operation. A read may need the socket
// writable (a key update to answer) and a write may need it readable: `read_wants_write()` and
// `write_wants_read()` tell the caller which event must also retry the other direction.
// OpenSSL may also hold decrypted bytes the socket no longer signals (`pending()`).
#include <sys/types.h>

#include <memory>
#include <string>

#include "common/net/tls_context.h"

typedef struct ssl_st SSL;

namespace vigil::net {

enum class TlsIo {
  kDone,       // handshake finished / bytes moved
  kWantRead,   // retry when the socket is readable
  kWantWrite,  // retry when the socket is writable
  kClosed,     // the peer closed (close_notify or EOF)
  kError,      // see error()
};

class TlsStream {
 public:
  // A stream for an accepted socket; `auth` chooses whether a client certificate is asked for
  // and required.
  static std::unique_ptr<TlsStream> Accept(const TlsContext& ctx, int fd, TlsAuthClients auth);
  // A stream for a socket this process connected; `sni` ("" = none) names the server.
  static std::unique_ptr<TlsStream> Connect(const TlsContext& ctx, int fd, const std::string& sni);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  bool handshake_done() const { return handshake_done_; }
  // One handshake step.
  TlsIo Handshake();
  // Reads up to `n` bytes: kDone with *got > 0, or why not.
  TlsIo Read(char* buf, size_t n, size_t* got);
  // Writes up to `n` bytes (partial writes allowed): kDone with *put > 0, or why not.
  TlsIo Write(const char* buf, size_t n, size_t* put);
  // Decrypted bytes waiting inside OpenSSL.
  bool pending() const;
  bool read_wants_write() const { return read_wants_write_; }
  bool write_wants_read() const { return write_wants_read_; }
  // The reason of the last kError, for log lines.
  const std::string& error() const { return error_; }
  // The negotiated protocol ("TLSv1.3"), after the handshake.
  std::string protocol() const;

 private:
  explicit TlsStream(SSL* ssl) : ssl_(ssl) {}
  TlsIo Classify(int ret);

  SSL* ssl_;
  bool handshake_done_ = false;
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  std::string error_;
};

// One read or write on a non-blocking socket, plain (`tls` null) or TLS, with one outcome
// vocabulary for the callers that own the events.
enum class SocketIo { kData, kAgain, kClosed, kError };
// `*err` gets the reason of kError (errno text or OpenSSL's).
SocketIo ReadSocket(int fd, TlsStream* tls, char* buf, size_t n, size_t* got, std::string* err);
SocketIo WriteSocket(int fd, TlsStream* tls, const char* buf, size_t n, size_t* put,
                     std::string* err);

}  // namespace vigil::net
