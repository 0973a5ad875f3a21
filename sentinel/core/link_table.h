#pragma once
// LinkTable: owns every Link of one sentinel core, indexed by link id and by connection id.
// Instances hold a LinkId; sentinel links are shared (refcount) across masters.
#include <unordered_map>
#include <vector>

#include "sentinel/core/link_health.h"

namespace vigil::sentinel {

class LinkTable {
 public:
  LinkId Create(const HostPort& addr, bool to_sentinel, MonoTime now);
  Link* Find(LinkId id);
  const Link* Find(LinkId id) const;
  // The link owning connection `conn`, and which of its channels it is.
  Link* FindByConn(ConnId conn, Channel* channel);

  // Records a new connection attempt on `channel`.
  void AttachConn(Link& link, Channel channel, ConnId conn, MonoTime now);
  // Forgets the connection on `channel`; returns its id (0 if none) so the caller can close it.
  ConnId DetachConn(Link& link, Channel channel);

  // Drops one reference; when the last goes, returns the connections to close and erases it.
  std::vector<ConnId> Release(LinkId id);

 private:
  // Hashed: looked up for every message and never iterated, so the order cannot leak into
  // behaviour. Elements keep their address across rehashing (instances hold Link& briefly).
  LinkId next_id_ = 1;
  std::unordered_map<LinkId, Link> links_;
  std::unordered_map<ConnId, LinkId> by_conn_;
};

}  // namespace vigil::sentinel
