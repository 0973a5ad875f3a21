// TLS in the shell: the context built from the tls-* settings, the TLS listener, and what
// CONFIG SET of a tls-* directive or a port does (Redis 7.0's applyTlsCfg, applyTLSPort and
// changeListenPort). See datanode/DESIGN.md "TLS".
#include <unistd.h>

#include "datanode/server/server.h"

namespace vigil::datanode {
namespace {

// Redis reloads the files on every CONFIG SET of their names (VOLATILE_CONFIG: a renewed
// certificate under the same name); any other setting only when its value changed.
bool IsTlsFileOption(const std::string& name) {
  return name == "tls-cert-file" || name == "tls-key-file" || name == "tls-client-cert-file" ||
         name == "tls-client-key-file" || name == "tls-dh-params-file" ||
         name == "tls-ca-cert-file" || name == "tls-ca-cert-dir";
}

std::string TlsValuesKey(const DatanodeConfig& c) {
  return c.tls_key_file_pass + '\0' + c.tls_client_key_file_pass + '\0' + c.tls_protocols + '\0' +
         c.tls_ciphers + '\0' + c.tls_ciphersuites + '\0' +
         std::to_string(c.tls_prefer_server_ciphers) + std::to_string(c.tls_session_caching) +
         std::to_string(c.tls_replication) + std::to_string(c.tls_cluster) + ' ' +
         std::to_string(c.tls_session_cache_size) + ' ' +
         std::to_string(c.tls_session_cache_timeout);
}

}  // namespace

Status Server::ConfigureTls() {
  const DatanodeConfig& c = *config_;
  net::TlsSettings s;
  s.cert_file = c.tls_cert_file;
  s.key_file = c.tls_key_file;
  s.key_file_pass = c.tls_key_file_pass;
  s.client_cert_file = c.tls_client_cert_file;
  s.client_key_file = c.tls_client_key_file;
  s.client_key_file_pass = c.tls_client_key_file_pass;
  s.dh_params_file = c.tls_dh_params_file;
  s.ca_cert_file = c.tls_ca_cert_file;
  s.ca_cert_dir = c.tls_ca_cert_dir;
  s.protocols = c.tls_protocols;
  s.ciphers = c.tls_ciphers;
  s.ciphersuites = c.tls_ciphersuites;
  s.prefer_server_ciphers = c.tls_prefer_server_ciphers;
  s.session_caching = c.tls_session_caching;
  s.session_cache_size = c.tls_session_cache_size;
  s.session_cache_timeout = c.tls_session_cache_timeout;
  s.ca_required = net::TlsAuthClients(c.tls_auth_clients) != net::TlsAuthClients::kNo ||
                  c.tls_replication || c.tls_cluster;
  auto built = net::TlsContext::Build(s);
  if (!built.ok()) return built.status();
  tls_ = std::move(built).value();
  tls_applied_ = TlsValuesKey(c);
  return Status::Ok();
}

Status Server::ListenPort(int64_t port, bool tls) {
  const auto kind = tls ? net::Acceptor::Kind::kTls : net::Acceptor::Kind::kTcp;
  listening_port_[tls] = 0;
  if (port == 0) {
    acceptor_.Close(kind);
    return Status::Ok();
  }
  // With `bind ""` the port stays closed (the unix socket may still serve); any address given
  // must have opened.
  Status st = acceptor_.ListenPort(config_->bind, int(port), kind);
  if (!st.ok()) return st;
  listening_port_[tls] = port;
  listening_bind_ = config_->bind;
  return Status::Ok();
}

Status Server::ApplyBind() {
  if (config_->bind == listening_bind_) return Status::Ok();
  const std::vector<std::string> wanted = config_->bind;
  const std::vector<std::string> previous = listening_bind_;
  const int64_t ports[2] = {listening_port_[0], listening_port_[1]};
  for (bool tls : {false, true}) {
    if (ports[tls] == 0) continue;
    Status st = ListenPort(ports[tls], tls);
    if (st.ok()) continue;
    log_->warn("Failed to bind to the new addresses: {}", st.message());
    // Back to the addresses in use (CONFIG SET then restores the setting itself).
    config_->bind = previous;
    for (bool again : {false, true}) {
      if (ports[again] != 0 && !ListenPort(ports[again], again).ok()) {
        log_->warn("Could not listen on the previous addresses again");
      }
    }
    config_->bind = wanted;
    return Status::Error("Failed to bind to specified addresses.");
  }
  return Status::Ok();
}

Status Server::ApplyTlsConfig(const std::string& name) {
  // A port that cannot be bound leaves the previous one listening: Redis gets there by
  // re-applying the restored value, CONFIG SET here restores values without re-applying.
  auto relisten = [this](bool tls, int64_t port) -> Status {
    const int64_t previous = listening_port_[tls];
    Status st = ListenPort(port, tls);
    if (st.ok()) return st;
    log_->warn("Failed to listen on port {}{}: {}", port, tls ? " (TLS)" : "", st.message());
    if (previous != 0 && !ListenPort(previous, tls).ok()) {
      log_->warn("Could not listen on port {} again", previous);
    }
    return Status::Error("Unable to listen on this port. Check server logs.");
  };
  // An unchanged port is left alone, as Redis applies only changed values.
  if (name == "port") {
    return config_->port == listening_port_[0] ? Status::Ok() : relisten(false, config_->port);
  }
  if (name == "tls-port") {
    if (config_->tls_port == listening_port_[1]) return Status::Ok();
    if (!tls_ && config_->tls_port != 0) {
      Status st = ConfigureTls();
      if (!st.ok()) {
        log_->warn("{}", st.message());
        return Status::Error("Unable to update TLS configuration. Check server logs.");
      }
    }
    return relisten(true, config_->tls_port);
  }
  if (!IsTlsContextOption(name) || !config_->tls_wanted()) return Status::Ok();
  if (!IsTlsFileOption(name) && tls_ && TlsValuesKey(*config_) == tls_applied_) {
    return Status::Ok();
  }
  // A failure keeps the context in use; CONFIG SET then restores the old values.
  Status st = ConfigureTls();
  if (!st.ok()) {
    log_->warn("{}", st.message());
    return Status::Error("Unable to update TLS configuration. Check server logs.");
  }
  log_->info("TLS configuration reloaded ({} changed)", name);
  return Status::Ok();
}

}  // namespace vigil::datanode
