#pragma once
// Server: the data node process shell. Owns the libevent loop, the listening sockets and the
// connections; feeds requests to the Service and executes what only a process can do (exit,
// rewrite the config file, report RSS and CPU). Decides nothing about data.
#include <spdlog/logger.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config_file.h"
#include "common/config/option_registry.h"
#include "common/fs/posix_file_system.h"
#include "common/net/acceptor.h"
#include "common/net/event_loop.h"
#include "common/net/tls_context.h"
#include "common/time/clock.h"
#include "datanode/config/datanode_config.h"
#include "datanode/replication/shutdown_gate.h"
#include "datanode/server/connection.h"
#include "datanode/server/migrate_sockets.h"
#include "datanode/server/oom_score_adj.h"
#include "datanode/server/shutdown_handoff_link.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

class AofManager;
class AofLoading;
class ChildProcessSlot;
class LazyFreeThread;
class Snapshotter;
class Replication;

class Server final : public ServerHooks {
 public:
  Server(DatanodeConfig* config, config::OptionRegistry* options, config::ConfigFile file,
         std::shared_ptr<spdlog::logger> log);
  ~Server() override;

  // Binds the listeners. Errors name the address.
  Status Start();
  // Runs until SHUTDOWN or a signal; returns the process exit code.
  int Run();

  // For connections.
  Service& service() { return *service_; }
  event_base* base() { return loop_.base(); }
  spdlog::logger& log() { return *log_; }
  const DatanodeConfig& config() const { return *config_; }
  int64_t now_ms() const { return clock_.UnixMillis(); }
  MonoTime mono_now() const { return clock_.Now(); }
  // The current TLS context (null until TLS is configured), for the replica's master link.
  std::shared_ptr<net::TlsContext> tls_context() const { return tls_; }
  // The one fork child (BGSAVE, AOF rewrite, replication snapshot).
  ChildProcessSlot& children() { return *children_; }
  // Ids for sessions the server did not accept (the replica's master link).
  uint64_t NextClientId() { return next_client_id_++; }
  // Flushes other sessions the last command produced output for, and closes killed ones.
  void AfterCommands(Connection* current);
  // Writes the pending replication stream of every replica woken by the last commands.
  void FlushReplicaStreams();
  // A replica's connection carried a bare newline (a sign of life while it loads).
  void ReplicaKeepalive(Session& s);
  // Called by a connection that finished closing.
  void Release(Connection* c);
  // AOF (server_aof.cc). A connection calls DeferReplies before writing: true means the AOF
  // buffer must reach the file first, and the server flushes the connection once it has (at the
  // end of this loop iteration, after one write + fsync for every client: Redis's beforeSleep).
  bool DeferReplies(Connection* c);
  // BGREWRITEAOF; "" or an error reply.
  std::string BgRewriteAof() override;
  // A replica is about to replace its dataset with a full sync: a BGSAVE child is killed and the
  // AOF stopped; FinishFullSyncLoad starts the AOF again (a rewrite of the new dataset).
  void PrepareForFullSyncLoad();
  void FinishFullSyncLoad();
  // SAVE / BGSAVE [SCHEDULE] (server_rdb.cc).
  std::string Save() override;
  bool FlushAllResetRdb() override;
  // CONFIG SET bind: the ports listen on the new addresses, or on the old ones on failure.
  Status ApplyBind();
  // Shows proc-title-template as the process title; `title` is {title} (null: argv[0]).
  void UpdateProcessTitle(const char* title);
  Result<std::string> BgSave(bool schedule) override;

  // ServerHooks
  std::string Shutdown(Session* s, const ShutdownRequest& request) override;
  Status RewriteConfig() override;
  void FillProcessInfo(ProcessInfo* info) const override;
  void OnConfigChanged(const std::string& name) override;
  Status ApplyConfig(const std::string& name) override;
  // DEBUG subcommands that need the process (server_debug.cc).
  std::string DebugReload(bool save, bool flush, bool merge) override;
  std::string DebugLoadAof() override;
  void ChangeReplicationId() override;
  void ReplicateToReplicas(const std::vector<std::string>& argv) override;
  Status RewriteConfigForceAll() override { return RewriteConfigFile(true); }
  void LogWarning(const std::string& line) override;
  uint32_t SecureRandom32() override;
  void PrintToStdout(const std::string& text) override;
  void LogAtLevel(int level, const std::string& line) override;
  // server_busy_script.cc
  void ProcessEventsWhileBusy(const Session& caller) override;
  // oom-score-adj for this process's role (master or replica); false when /proc refused it.
  bool ApplyOomScore();
  // The Lua debugger's sessions (server_lua_debug.cc).
  LuaDebugStart StartLuaDebug(Session& s, bool forked, DebugChannel** channel,
                              std::string* error) override;
  void EndLuaDebug(Session& s, bool forked) override;
  MigrateLink* MigrateGetLink(const std::string& host, const std::string& port,
                              int64_t timeout_ms) override {
    return migrate_sockets_.Get(host, port, timeout_ms, now_ms() / 1000);
  }
  void MigrateCloseLink(const std::string& host, const std::string& port) override {
    migrate_sockets_.Close(host, port);
  }

 private:
  // RDB snapshots (server_rdb.cc).
  Status StartRdb();
  void RdbCron();
  std::string ShutdownRdb(bool save, bool nosave, bool force);
  // Shutdown (server_shutdown.cc): Redis 7.0's prepareForShutdown / finishShutdown.
  std::string FinishShutdown();
  void CancelShutdown();
  void ShutdownCron();
  void OnShutdownSignal(int sig);
  bool ReplicasCaughtUp() const;
  // The shutdown handoff (replication/DESIGN.md, "Handoff on shutdown"): whether this
  // shutdown starts with one, and what follows it.
  bool StartHandoff(const ShutdownRequest& request);
  void AfterHandoff(bool handed_over, const std::string& why);
  // Redis's part of the shutdown: wait for lagging replicas, then finish.
  std::string ShutdownAfterReplicas(const ShutdownRequest& request);
  bool ShuttingDown() const;
  // AOF (server_aof.cc).
  Status StartAof();
  // CONFIG SET appendonly yes|no at runtime.
  Status SwitchAof(bool on);
  void AofLoadStep();
  void AofCron();
  void ShutdownAof();
  void FlushDeferredReplies();
  static void OnFlushDeferred(evutil_socket_t fd, short what, void* arg);

  // TLS (server_tls.cc): builds the context from the tls-* settings (Redis's tlsConfigure; the
  // old context stays on failure), and (re)opens the listeners of a port (changeListenPort).
  Status ConfigureTls();
  Status ListenPort(int64_t port, bool tls);
  Status ApplyTlsConfig(const std::string& name);
  // The master link's request held by a client pause ran: the rest of its stream is applied on
  // the next loop pass, outside whatever resumed it.
  void ScheduleMasterStreamResume();
  static void OnMasterStreamResume(evutil_socket_t fd, short what, void* arg);
  bool master_resume_scheduled_ = false;
  bool serving_while_busy_ = false;
  MigrateSockets migrate_sockets_;
  MonoTime busy_fence_tick_{};
  // The pid file and the unix socket go with the process, as in Redis.
  void RemoveFilesOnExit();
  // Redis's closeListeningSockets at exit: the kernel releases an exiting process's sockets in
  // no useful order, so a client could see its connection close yet still reach the port.
  void CloseAllListeners();
  // A socket the acceptor took: admission (maxclients, protected mode), TLS, the connection.
  void Accept(const net::Acceptor::Accepted& a);
  void Cron();
  void FenceTick();
  void CloseIdleClients();
  // Every connection, each cron pass: output limits held too long, query buffers to trim.
  void ClientsCron();
  // In a fork child: the parent's listening sockets close, so a parent that dies frees its port.
  void CloseListenersInChild();
  // In a fork child: values are freed in place, since the free thread was not forked with us.
  void DetachLazyFreeInChild();
  void ReapLuaDebugChildren();
  void KillLuaDebugChildren();
  void ReapClosed();
  std::string Where() const;
  Status RewriteConfigFile(bool force_all);

  DatanodeConfig* config_;
  config::OptionRegistry* options_;
  config::ConfigFile file_;
  std::shared_ptr<spdlog::logger> log_;
  SystemClock clock_;
  PosixFileSystem disk_;
  net::EventLoop loop_;
  // Before the service: the keyspace hands values to it, so it must outlive the keyspace.
  std::unique_ptr<LazyFreeThread> lazy_free_;
  std::unique_ptr<Service> service_;
  net::Acceptor acceptor_;
  std::shared_ptr<net::TlsContext> tls_;
  int64_t listening_port_[2] = {0, 0};       // plain, TLS: what the listeners are bound to
  std::vector<std::string> listening_bind_;  // the bind addresses they listen on
  std::string tls_applied_;  // the non-file tls-* values the context was last built from
  std::map<Session*, std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> closed_;
  uint64_t next_client_id_ = 1;
  int64_t start_ms_ = 0;
  int64_t startup_memory_ = 0;
  int64_t peak_memory_ = 0;
  int exit_code_ = 0;
  uint64_t fence_raises_ = 0;
  uint64_t fence_lifts_ = 0;
  ShutdownGate shutdown_gate_;
  ShutdownRequest shutdown_request_;
  std::vector<Session*> shutdown_waiters_;  // SHUTDOWN clients blocked until it ends
  bool shutdown_signalled_ = false;
  std::unique_ptr<ChildProcessSlot> children_;  // before its users: destroyed after them
  std::unique_ptr<AofManager> aof_;
  // appendonly no: the directory BGREWRITEAOF still rewrites (Redis 7.0 allows it).
  std::unique_ptr<AofManager> aof_rewrite_only_;
  std::unique_ptr<AofLoading> aof_loading_;
  bool aof_retry_after_sync_ = false;
  std::unique_ptr<Snapshotter> snapshot_;
  int64_t loading_start_ms_ = 0;
  event* flush_ev_ = nullptr;
  bool flush_scheduled_ = false;
  bool flushing_deferred_ = false;
  std::vector<Connection*> deferred_;
  OomScoreAdj oom_;
  std::vector<pid_t> lua_debug_children_;  // forked SCRIPT DEBUG YES sessions
  std::unique_ptr<DebugChannel> lua_debug_channel_;
  std::unique_ptr<Replication> replication_;      // goes before the service
  std::unique_ptr<ShutdownHandoffLink> handoff_;  // last: goes first
};

// Bytes in use by the allocator (mallinfo2): Vigil's used_memory.
int64_t AllocatorUsedBytes();
// Resident set size of this process, from /proc.
int64_t ProcessRssBytes();

}  // namespace vigil::datanode
