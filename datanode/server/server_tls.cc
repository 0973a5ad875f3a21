// TLS in the shell: the context built from the tls-* settings, the TLS listener, and what
// CONFIG SET of a tls-* directive or a port does (Redis 7.0's applyTlsCfg, applyTLSPort and
// changeListenPort). See datanode/DESIGN.md "TLS".
#include <unistd.h>

#include "datanode/server/server.h"

namespace vigil::datanode {

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
  return Status::Ok();
}

void Server::CloseListeners(bool tls) {
  std::erase_if(listeners_, [tls](const std::unique_ptr<Listener>& l) {
    if (l->unix_socket || l->tls != tls) return false;
    event_free(l->ev);
    ::close(l->fd);
    return true;
  });
}

Status Server::ListenPort(int64_t port, bool tls) {
  CloseListeners(tls);
  if (port == 0) return Status::Ok();
  std::vector<std::unique_ptr<Listener>> opened;
  for (const auto& b : config_->bind) {
    const bool optional = !b.empty() && b[0] == '-';
    Status st = Listen(optional ? b.substr(1) : b, optional, port, tls, &opened);
    if (!st.ok()) {
      for (auto& l : opened) {
        event_free(l->ev);
        ::close(l->fd);
      }
      return st;
    }
  }
  if (opened.empty()) return Status::Error("no listening socket could be created");
  for (auto& l : opened) listeners_.push_back(std::move(l));
  return Status::Ok();
}

Status Server::ApplyTlsConfig(const std::string& name) {
  if (name == "port") {
    Status st = ListenPort(config_->port, false);
    if (!st.ok()) {
      log_->warn("Failed to listen on port {}: {}", config_->port, st.message());
      return Status::Error("Unable to listen on this port. Check server logs.");
    }
    return Status::Ok();
  }
  if (name == "tls-port") {
    if (!tls_) {
      Status st = ConfigureTls();
      if (!st.ok()) {
        log_->warn("{}", st.message());
        return Status::Error("Unable to update TLS configuration. Check server logs.");
      }
    }
    Status st = ListenPort(config_->tls_port, true);
    if (!st.ok()) {
      log_->warn("Failed to listen on port {} (TLS): {}", config_->tls_port, st.message());
      return Status::Error("Unable to listen on this port. Check server logs.");
    }
    return Status::Ok();
  }
  if (!IsTlsContextOption(name) || !config_->tls_wanted()) return Status::Ok();
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
