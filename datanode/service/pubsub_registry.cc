#include "datanode/service/pubsub_registry.h"

#include "common/base/glob.h"
#include "common/resp/reply_writer.h"

namespace vigil::datanode {

namespace {

// The session's own set and the registry's index of one kind (channels, patterns or shard
// channels) change together.
template <typename Index>
bool AddName(std::set<std::string>& mine, Index& index, Session* s, const std::string& name) {
  if (!mine.insert(name).second) return false;
  index[name].insert(s);
  return true;
}

template <typename Index>
bool RemoveName(std::set<std::string>& mine, Index& index, Session* s, const std::string& name) {
  if (mine.erase(name) == 0) return false;
  auto it = index.find(name);
  if (it != index.end()) {
    it->second.erase(s);
    if (it->second.empty()) index.erase(it);
  }
  return true;
}

}  // namespace

bool PubSubRegistry::Subscribe(Session* s, const std::string& channel) {
  return AddName(s->channels, channels_, s, channel);
}

bool PubSubRegistry::Unsubscribe(Session* s, const std::string& channel) {
  return RemoveName(s->channels, channels_, s, channel);
}

bool PubSubRegistry::PSubscribe(Session* s, const std::string& pattern) {
  return AddName(s->patterns, patterns_, s, pattern);
}

bool PubSubRegistry::PUnsubscribe(Session* s, const std::string& pattern) {
  return RemoveName(s->patterns, patterns_, s, pattern);
}

bool PubSubRegistry::SSubscribe(Session* s, const std::string& channel) {
  return AddName(s->shard_channels, shard_channels_, s, channel);
}

bool PubSubRegistry::SUnsubscribe(Session* s, const std::string& channel) {
  return RemoveName(s->shard_channels, shard_channels_, s, channel);
}

void PubSubRegistry::RemoveSession(Session* s) {
  for (const auto& c : std::set<std::string>(s->channels)) Unsubscribe(s, c);
  for (const auto& p : std::set<std::string>(s->patterns)) PUnsubscribe(s, p);
  for (const auto& c : std::set<std::string>(s->shard_channels)) SUnsubscribe(s, c);
}

int64_t PubSubRegistry::SPublish(std::string_view channel, std::string_view message,
                                 std::vector<Session*>* woken) {
  auto it = shard_channels_.find(channel);
  if (it == shard_channels_.end()) return 0;
  for (Session* s : it->second) {
    const size_t from = s->out.size();
    resp::ReplyWriter w(&s->out, s->proto);
    w.Push(3);
    w.Bulk("smessage");
    w.Bulk(channel);
    w.Bulk(message);
    s->NotePush(from);
    woken->push_back(s);
  }
  return int64_t(it->second.size());
}

int64_t PubSubRegistry::Publish(std::string_view channel, std::string_view message,
                                std::vector<Session*>* woken) {
  int64_t receivers = 0;
  auto it = channels_.find(channel);
  if (it != channels_.end()) {
    for (Session* s : it->second) {
      const size_t from = s->out.size();
      resp::ReplyWriter w(&s->out, s->proto);
      w.Push(3);
      w.Bulk("message");
      w.Bulk(channel);
      w.Bulk(message);
      s->NotePush(from);
      woken->push_back(s);
      ++receivers;
    }
  }
  for (const auto& [pattern, sessions] : patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    for (Session* s : sessions) {
      const size_t from = s->out.size();
      resp::ReplyWriter w(&s->out, s->proto);
      w.Push(4);
      w.Bulk("pmessage");
      w.Bulk(pattern);
      w.Bulk(channel);
      w.Bulk(message);
      s->NotePush(from);
      woken->push_back(s);
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSubRegistry::Channels(std::string_view pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, subs] : channels_) {
    if (pattern.empty() || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t PubSubRegistry::NumSub(const std::string& channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : int64_t(it->second.size());
}

std::vector<std::string> PubSubRegistry::ShardChannels(std::string_view pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, subs] : shard_channels_) {
    if (pattern.empty() || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t PubSubRegistry::ShardNumSub(const std::string& channel) const {
  auto it = shard_channels_.find(channel);
  return it == shard_channels_.end() ? 0 : int64_t(it->second.size());
}

size_t PubSubRegistry::pattern_count() const {
  return patterns_.size();
}

}  // namespace vigil::datanode
