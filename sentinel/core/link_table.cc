#include "sentinel/core/link_table.h"

#include "common/base/check.h"

namespace vigil::sentinel {

LinkId LinkTable::Create(const HostPort& addr, bool to_sentinel, MonoTime now) {
  Link link;
  link.id = next_id_++;
  link.addr = addr;
  link.to_sentinel = to_sentinel;
  link.health = LinkHealth::Fresh(now);
  link.pc_last_activity = now;
  LinkId id = link.id;
  links_.emplace(id, std::move(link));
  return id;
}

Link* LinkTable::Find(LinkId id) {
  auto it = links_.find(id);
  return it == links_.end() ? nullptr : &it->second;
}

const Link* LinkTable::Find(LinkId id) const {
  auto it = links_.find(id);
  return it == links_.end() ? nullptr : &it->second;
}

Link* LinkTable::FindByConn(ConnId conn, Channel* channel) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return nullptr;
  Link* link = Find(it->second);
  VIGIL_CHECK(link != nullptr);
  *channel = link->cmd.id == conn ? Channel::kCommand : Channel::kPubSub;
  return link;
}

void LinkTable::AttachConn(Link& link, Channel channel, ConnId conn, MonoTime now) {
  ConnSlot& slot = channel == Channel::kCommand ? link.cmd : link.pubsub;
  VIGIL_CHECK(slot.state == ConnState::kNone);
  slot = ConnSlot{conn, ConnState::kConnecting, now};
  by_conn_[conn] = link.id;
}

ConnId LinkTable::DetachConn(Link& link, Channel channel) {
  ConnSlot& slot = channel == Channel::kCommand ? link.cmd : link.pubsub;
  ConnId id = slot.id;
  if (slot.state != ConnState::kNone) by_conn_.erase(id);
  slot = ConnSlot{};
  if (channel == Channel::kCommand) link.pending_commands = 0;
  return id;
}

std::vector<ConnId> LinkTable::Release(LinkId id) {
  Link* link = Find(id);
  if (link == nullptr) return {};
  if (--link->refcount > 0) return {};
  std::vector<ConnId> to_close;
  if (link->cmd.state != ConnState::kNone) to_close.push_back(DetachConn(*link, Channel::kCommand));
  if (link->pubsub.state != ConnState::kNone) {
    to_close.push_back(DetachConn(*link, Channel::kPubSub));
  }
  links_.erase(id);
  return to_close;
}

}  // namespace vigil::sentinel
