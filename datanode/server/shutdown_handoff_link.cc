#include "datanode/server/shutdown_handoff_link.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "common/base/decimal.h"

// hiredis's stock libevent adapter: a handful of questions per shutdown needs nothing finer.
#include <hiredis/adapters/libevent.h>

namespace vigil::datanode {

ShutdownHandoffLink::ShutdownHandoffLink(event_base* base, spdlog::logger* log, Hooks hooks)
    : base_(base), log_(log), hooks_(std::move(hooks)) {
  timer_ = event_new(base_, -1, EV_PERSIST, &ShutdownHandoffLink::OnTimer, this);
}

ShutdownHandoffLink::~ShutdownHandoffLink() {
  DropConnection();
  if (timer_ != nullptr) event_free(timer_);
}

void ShutdownHandoffLink::Start(std::vector<HandoffSentinel> sentinels, MonoTime deadline) {
  const timeval period{0, 10 * 1000};
  event_add(timer_, &period);
  Apply(handoff_.Begin(std::move(sentinels), deadline));
}

void ShutdownHandoffLink::Cancel() {
  handoff_.Cancel();
  event_del(timer_);
  DropConnection();
}

void ShutdownHandoffLink::Apply(const HandoffStep& step) {
  switch (step.kind) {
    case HandoffStep::Kind::kWait:
      return;
    case HandoffStep::Kind::kSend:
      return Send(step.sentinel, step.argv);
    case HandoffStep::Kind::kFinish:
      event_del(timer_);
      DropConnection();
      hooks_.finished(step.handed_over, step.why);
      return;
  }
}

void ShutdownHandoffLink::Send(size_t sentinel, const std::vector<std::string>& argv) {
  if (ac_ != nullptr && ac_sentinel_ != sentinel) DropConnection();
  const HandoffSentinel& target = handoff_.sentinels()[sentinel];
  ac_sentinel_ = sentinel;
  question_open_ = true;
  asked_at_ = hooks_.now();
  if (ac_ == nullptr) {
    ac_ = redisAsyncConnect(target.addr.host.c_str(), target.addr.port);
    if (ac_ == nullptr || ac_->err != 0) {
      const std::string why = ac_ != nullptr ? ac_->errstr : "out of memory";
      if (ac_ != nullptr) redisAsyncFree(ac_);
      ac_ = nullptr;
      return OnReplyFor("cannot connect: " + why, std::nullopt);
    }
    ac_->data = this;
    redisLibeventAttach(ac_, base_);
    redisAsyncSetConnectCallback(ac_, &ShutdownHandoffLink::OnConnect);
    redisAsyncSetDisconnectCallback(ac_, &ShutdownHandoffLink::OnDisconnect);
  }
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAsyncCommandArgv(ac_, &ShutdownHandoffLink::OnReply, this, int(args.size()), args.data(),
                            lens.data()) != REDIS_OK) {
    DropConnection();
    OnReplyFor("cannot send to the sentinel", std::nullopt);
  }
}

void ShutdownHandoffLink::DropConnection() {
  if (ac_ == nullptr) return;
  redisAsyncContext* ac = ac_;
  ac_ = nullptr;
  ac->data = nullptr;  // callbacks of this context are stale from now on
  redisAsyncDisconnect(ac);
}

void ShutdownHandoffLink::OnReplyFor(const std::string& error, std::optional<HostPort> addr) {
  if (!question_open_) return;
  question_open_ = false;
  if (!error.empty()) {
    log_->info("shutdown handoff: sentinel {} answered: {}",
               FormatHostPort(handoff_.sentinels()[ac_sentinel_].addr), error);
  }
  Apply(handoff_.OnReply(hooks_.now(), error, std::move(addr)));
}

void ShutdownHandoffLink::OnTimer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<ShutdownHandoffLink*>(arg);
  const MonoTime now = self->hooks_.now();
  if (self->question_open_ && now - self->asked_at_ > kQuestionTimeout) {
    self->DropConnection();
    self->OnReplyFor("no answer within 1 s", std::nullopt);
    if (!self->handoff_.active()) return;
  }
  if (std::optional<HostPort> master = self->hooks_.following()) {
    self->Apply(self->handoff_.OnFollowing(now, *master));
    if (!self->handoff_.active()) return;
  }
  self->Apply(self->handoff_.OnTick(now));
}

void ShutdownHandoffLink::OnConnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<ShutdownHandoffLink*>(ac->data);
  if (self == nullptr || status == REDIS_OK) return;
  // hiredis frees the context after this callback.
  self->ac_ = nullptr;
  self->OnReplyFor(std::string("cannot connect: ") + ac->errstr, std::nullopt);
}

void ShutdownHandoffLink::OnDisconnect(const redisAsyncContext* ac, int /*status*/) {
  auto* self = static_cast<ShutdownHandoffLink*>(ac->data);
  if (self == nullptr) return;
  self->ac_ = nullptr;
  self->OnReplyFor("connection lost", std::nullopt);
}

void ShutdownHandoffLink::OnReply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* self = static_cast<ShutdownHandoffLink*>(privdata);
  if (ac->data == nullptr || self == nullptr) return;  // a dropped connection's leftovers
  auto* r = static_cast<redisReply*>(reply);
  if (r == nullptr) return self->OnReplyFor("connection lost", std::nullopt);
  if (r->type == REDIS_REPLY_ERROR) return self->OnReplyFor(std::string(r->str, r->len), {});
  // SENTINEL MASTER <name>: field/value pairs, of which "ip" and "port" are the master's address.
  std::optional<HostPort> addr;
  if (r->type == REDIS_REPLY_ARRAY && r->elements % 2 == 0) {
    std::string ip, port;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
      const redisReply* k = r->element[i];
      const redisReply* v = r->element[i + 1];
      if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
      const std::string_view key(k->str, k->len);
      if (key == "ip") ip.assign(v->str, v->len);
      if (key == "port") port.assign(v->str, v->len);
    }
    int64_t p = 0;
    if (!ip.empty() && ParseInt64(port, &p)) addr = HostPort{ip, int(p)};
  }
  self->OnReplyFor("", std::move(addr));
}

}  // namespace vigil::datanode
