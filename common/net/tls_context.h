#pragma once
// OpenSSL contexts built from Redis 7.0's tls-* directives, shared by the data node (and later the
// sentinel). A TlsContext is immutable once built: a reload builds a new one and swaps the
// shared_ptr, so a bad certificate leaves the old context serving, and connections made with the
// old one keep it alive through their SSL objects (OpenSSL reference-counts the SSL_CTX).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace vigil::net {

// tls-auth-clients: whether an accepting side asks for and requires a client certificate.
enum class TlsAuthClients { kNo = 0, kYes = 1, kOptional = 2 };

struct TlsSettings {
  std::string cert_file;
  std::string key_file;
  std::string key_file_pass;
  std::string client_cert_file;  // outgoing links; the server pair when empty
  std::string client_key_file;
  std::string client_key_file_pass;
  std::string dh_params_file;
  std::string ca_cert_file;
  std::string ca_cert_dir;
  std::string protocols;  // "" = TLSv1.2 and TLSv1.3
  std::string ciphers;
  std::string ciphersuites;
  bool prefer_server_ciphers = false;
  bool session_caching = true;
  int64_t session_cache_size = 20 * 1024;
  int64_t session_cache_timeout = 300;
  // A CA is needed to verify peers: clients (tls-auth-clients yes|optional), masters
  // (tls-replication) or cluster peers.
  bool ca_required = true;
};

// Protocol bits for tls-protocols.
enum TlsProtocolBits : int {
  kTlsV1 = 1,
  kTlsV1_1 = 2,
  kTlsV1_2 = 4,
  kTlsV1_3 = 8,
};

// Redis's parser: space separated, case-insensitive "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3";
// empty means TLSv1.2 + TLSv1.3. An error names what Redis logs.
Result<int> ParseTlsProtocols(const std::string& text);

class TlsContext {
 public:
  // Validates the settings and loads every file. Errors are the sentences Redis logs
  // ("Failed to load certificate: <file>: <openssl error>", ...), one per failure.
  static Result<std::shared_ptr<TlsContext>> Build(const TlsSettings& settings);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // For accepted connections.
  SSL_CTX* server() const { return server_; }
  // For connections this process opens (replication): the client pair, else the server's.
  SSL_CTX* client() const { return client_ != nullptr ? client_ : server_; }

 private:
  TlsContext(SSL_CTX* server, SSL_CTX* client) : server_(server), client_(client) {}
  SSL_CTX* server_;
  SSL_CTX* client_;
};

// The latest OpenSSL error queue entry as text (and the queue cleared), for log lines.
std::string TakeOpenSslError();

}  // namespace vigil::net
