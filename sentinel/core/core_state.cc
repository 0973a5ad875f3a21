#include "sentinel/core/core_state.h"

#include "common/base/check.h"

namespace vigil::sentinel {

std::string DescribeInstance(const MasterRecord& master, const InstanceRecord& ri) {
  std::string text;
  switch (ri.kind) {
    case InstanceKind::kMaster:
      return "master " + ri.name + " " + ri.addr.host + " " + std::to_string(ri.addr.port);
    case InstanceKind::kReplica:
      text = "slave ";
      break;
    case InstanceKind::kSentinel:
      text = "sentinel ";
      break;
  }
  text += ri.name + " " + ri.addr.host + " " + std::to_string(ri.addr.port) + " @ " +
          master.instance.name + " " + master.instance.addr.host + " " +
          std::to_string(master.instance.addr.port);
  return text;
}

void CoreState::Emit(EventLevel level, std::string type, const MasterRecord* master,
                     std::string message) {
  if (level == EventLevel::kWarning && master != nullptr &&
      !master->config.notification_script.empty()) {
    actions.push_back(RunScript{{master->config.notification_script, type, message}});
  }
  events.push_back(
      Event{level, std::move(type), std::move(message), master ? master->instance.name : ""});
}

void CoreState::EmitFor(EventLevel level, std::string type, const MasterRecord& master,
                        const InstanceRecord& ri, const std::string& suffix) {
  std::string message = DescribeInstance(master, ri);
  if (!suffix.empty()) message += " " + suffix;
  Emit(level, std::move(type), &master, std::move(message));
}

bool CoreState::Send(MasterRecord& master, InstanceRecord& ri, Command command, RequestKind kind) {
  Link& link = LinkOf(ri);
  if (link.cmd.state != ConnState::kUp) return false;
  RequestId id = next_request_++;
  requests[id] =
      PendingRequest{kind, link.cmd.id, link.id, master.instance.name, ri.kind, ri.name, now, {}};
  ++link.pending_commands;
  actions.push_back(
      SendAction{link.cmd.id, id, std::move(command), master.config.renamed_commands});
  return true;
}

void CoreState::SendOnPubSub(MasterRecord& master, InstanceRecord& ri, Command command) {
  Link& link = LinkOf(ri);
  VIGIL_CHECK(link.pubsub.state == ConnState::kUp);
  RequestId id = next_request_++;
  requests[id] = PendingRequest{RequestKind::kSubscribe,
                                link.pubsub.id,
                                link.id,
                                master.instance.name,
                                ri.kind,
                                ri.name,
                                now,
                                {}};
  actions.push_back(
      SendAction{link.pubsub.id, id, std::move(command), master.config.renamed_commands});
}

void CoreState::Connect(Link& link, Channel channel, const MasterRecord& master) {
  ConnId conn = next_conn_++;
  links.AttachConn(link, channel, conn, now);
  ConnectAction action;
  action.conn = conn;
  action.channel = channel;
  action.addr = link.addr;
  action.to_sentinel = link.to_sentinel;
  if (link.to_sentinel) {
    action.auth_user = globals.sentinel_user;
    action.auth_pass = globals.sentinel_pass;
  } else {
    action.auth_user = master.config.auth_user;
    action.auth_pass = master.config.auth_pass;
  }
  action.client_name =
      "sentinel-" + myid.substr(0, 8) + (channel == Channel::kCommand ? "-cmd" : "-pubsub");
  actions.push_back(std::move(action));
}

void CoreState::CloseChannel(Link& link, Channel channel) {
  ConnSlot& slot = channel == Channel::kCommand ? link.cmd : link.pubsub;
  if (slot.state == ConnState::kNone) return;
  WakeUsersOf(link);
  ConnId conn = links.DetachConn(link, channel);
  ForgetRequestsOn(conn);
  actions.push_back(CloseAction{conn});
}

void CoreState::ReleaseLink(LinkId link) {
  for (ConnId conn : links.Release(link)) {
    ForgetRequestsOn(conn);
    actions.push_back(CloseAction{conn});
  }
}

void CoreState::ForgetRequestsOn(ConnId conn) {
  for (auto it = requests.begin(); it != requests.end();) {
    if (it->second.conn == conn) {
      ClearPendingFlag(it->second);
      it = requests.erase(it);
    } else {
      ++it;
    }
  }
}

void CoreState::ClearPendingFlag(const PendingRequest& request) {
  MasterRecord* master = FindMaster(request.master);
  if (master == nullptr) return;
  InstanceRecord* ri = FindInstance(*master, request.instance_kind, request.instance);
  if (ri != nullptr) ClearPendingFlag(request.kind, *ri);
}

void CoreState::ClearPendingFlag(RequestKind kind, InstanceRecord& ri) {
  switch (kind) {
    case RequestKind::kInfo:
      ri.info_pending = false;
      break;
    case RequestKind::kHello:
      ri.hello_pending = false;
      break;
    case RequestKind::kAsk:
      ri.ask_pending = false;
      break;
    default:
      break;
  }
}

void CoreState::WakeAll() {
  for (auto& [name, master] : masters) Wake(master);
}

std::string CoreState::AnnouncedHost(const HostPort& addr, LinkId link_id) const {
  if (globals.announce_hostnames || IsIpLiteral(addr.host)) return addr.host;
  const Link* link = links.Find(link_id);
  if (link != nullptr && !link->peer_ip.empty()) return link->peer_ip;
  // Not connected yet (a replica just discovered): what another connection to the same name
  // reached. Redis resolves a name once, when it creates the instance, so it never shows the
  // name for a new instance of a name it already resolved.
  auto known = resolved_hosts.find(addr.host);
  return known != resolved_hosts.end() ? known->second : addr.host;
}

void CoreState::WakeUsersOf(const Link& link) {
  if (!link.owner) return WakeAll();  // rare: a sentinel link going up or down
  if (MasterRecord* master = FindMaster(link.owner->master)) Wake(*master);
}

MasterRecord* CoreState::FindMaster(const std::string& name) {
  auto it = masters.find(name);
  return it == masters.end() ? nullptr : &it->second;
}

InstanceRecord* CoreState::FindInstance(MasterRecord& master, InstanceKind kind,
                                        const std::string& name) {
  if (kind == InstanceKind::kMaster) return &master.instance;
  auto& table = kind == InstanceKind::kReplica ? master.replicas : master.sentinels;
  auto it = table.find(name);
  return it == table.end() ? nullptr : &it->second;
}

Link& CoreState::LinkOf(const InstanceRecord& ri) {
  Link* link = links.Find(ri.link);
  VIGIL_CHECK(link != nullptr);
  return *link;
}

}  // namespace vigil::sentinel
