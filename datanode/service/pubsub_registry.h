#pragma once
// Channel and pattern subscriptions, and message delivery into subscribers' output buffers in
// each subscriber's protocol (RESP2 arrays or RESP3 pushes).
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/service/session.h"

namespace vigil::datanode {

class PubSubRegistry {
 public:
  // Returns true when newly subscribed.
  bool Subscribe(Session* s, const std::string& channel);
  bool Unsubscribe(Session* s, const std::string& channel);
  bool PSubscribe(Session* s, const std::string& pattern);
  bool PUnsubscribe(Session* s, const std::string& pattern);
  // Sharded pub/sub (SSUBSCRIBE, SPUBLISH): its own channel namespace, no patterns, messages
  // of type "smessage". Without cluster mode every shard channel lives on this node.
  bool SSubscribe(Session* s, const std::string& channel);
  bool SUnsubscribe(Session* s, const std::string& channel);
  void RemoveSession(Session* s);

  // Delivers to channel subscribers and matching patterns; returns the receiver count.
  // Sessions that got output are appended to `woken`.
  int64_t Publish(std::string_view channel, std::string_view message, std::vector<Session*>* woken);

  int64_t SPublish(std::string_view channel, std::string_view message,
                   std::vector<Session*>* woken);

  std::vector<std::string> Channels(std::string_view pattern) const;  // "" = all
  int64_t NumSub(const std::string& channel) const;
  size_t channel_count() const { return channels_.size(); }
  std::vector<std::string> ShardChannels(std::string_view pattern) const;
  int64_t ShardNumSub(const std::string& channel) const;
  size_t shard_channel_count() const { return shard_channels_.size(); }
  size_t pattern_count() const;

 private:
  // Ordered by session id so delivery order is deterministic.
  struct ById {
    bool operator()(const Session* a, const Session* b) const { return a->id < b->id; }
  };
  std::map<std::string, std::set<Session*, ById>, std::less<>> channels_;
  std::map<std::string, std::set<Session*, ById>, std::less<>> patterns_;
  std::map<std::string, std::set<Session*, ById>, std::less<>> shard_channels_;
};

}  // namespace vigil::datanode
