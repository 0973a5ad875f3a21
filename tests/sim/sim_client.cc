#include "tests/sim/sim_client.h"

#include "common/base/decimal.h"
#include "tests/sim/world.h"

namespace vigil::sim {
namespace {

// Writes carry about 100 bytes each in the stream, as the nodes' own writes did.
constexpr size_t kValueBytes = 60;

}  // namespace

SimClients::SimClients(World& world, int writers) : world_(world) {
  for (int i = 0; i < writers; ++i) {
    Writer w;
    w.index = i;
    w.next_sentinel = size_t(i);  // spread the first questions over the sentinels
    writers_.push_back(w);
  }
}

void SimClients::Tick() {
  const MonoTime now = world_.now();
  for (Writer& w : writers_) {
    if (w.ask_deadline) {
      if (now < *w.ask_deadline) continue;
      // This sentinel does not answer: the next one.
      CloseAsk(w);
      ++w.next_sentinel;
    }
    if (w.write_deadline && now >= *w.write_deadline) {
      ++timeouts_;
      Forget(w, "timeout");
    }
    if (!w.master) {
      Ask(w);
    } else if (w.master_conn == 0) {
      w.master_conn = world_.OpenClientConnection(w.index, *w.master);
      w.master_conn_up = false;
    } else if (w.master_conn_up && !w.write_deadline) {
      SendWrite(w);
    }
  }
}

void SimClients::Ask(Writer& w) {
  if (w.ask_conn != 0 || world_.sentinels().empty()) return;
  const auto& sentinels = world_.sentinels();
  w.ask_conn =
      world_.OpenClientConnection(w.index, sentinels[w.next_sentinel % sentinels.size()]->addr);
  w.ask_deadline = world_.now() + kRequestTimeout;
}

void SimClients::CloseAsk(Writer& w) {
  if (w.ask_conn != 0) world_.CloseConnection(w.ask_conn, false, true);
  w.ask_conn = 0;
  w.ask_deadline.reset();
}

void SimClients::SendAsk(Writer& w) {
  Message m;
  m.kind = Message::Kind::kRequest;
  m.request = next_request_++;
  m.argvs.push_back({"SENTINEL", "get-master-addr-by-name", world_.master_name()});
  world_.Send(w.ask_conn, true, std::move(m));
}

void SimClients::SendWrite(Writer& w) {
  Message m;
  m.kind = Message::Kind::kRequest;
  m.request = next_request_++;
  const uint64_t seq = w.seq++;
  m.argvs.push_back({"SET", "k" + std::to_string(seq % 1000),
                     "c" + std::to_string(w.index + 1) + ":" + std::to_string(seq) +
                         std::string(kValueBytes, 'v')});
  world_.Send(w.master_conn, true, std::move(m));
  w.write_deadline = world_.now() + kRequestTimeout;
}

void SimClients::Forget(Writer& w, const std::string& why) {
  if (w.master) {
    world_.trace().Add(world_.now(), "c" + std::to_string(w.index + 1),
                       "drops " + vigil::FormatHostPort(*w.master) + ": " + why);
  }
  if (w.master_conn != 0) world_.CloseConnection(w.master_conn, false, true);
  w.master_conn = 0;
  w.master_conn_up = false;
  w.master.reset();
  w.write_deadline.reset();
}

void SimClients::OnConnected(int writer, uint64_t conn) {
  Writer& w = writers_.at(size_t(writer));
  if (conn == w.ask_conn) {
    SendAsk(w);
  } else if (conn == w.master_conn) {
    w.master_conn_up = true;
    SendWrite(w);
  }
}

void SimClients::OnDisconnected(int writer, uint64_t conn) {
  Writer& w = writers_.at(size_t(writer));
  if (conn == w.ask_conn) {
    w.ask_conn = 0;
    w.ask_deadline.reset();
    ++w.next_sentinel;
  } else if (conn == w.master_conn) {
    w.master_conn = 0;  // already closed
    Forget(w, "connection lost");
  }
}

void SimClients::OnReply(int writer, uint64_t conn, const Message& message) {
  Writer& w = writers_.at(size_t(writer));
  if (conn == w.ask_conn) return OnAskReply(w, message);
  if (conn != w.master_conn || message.replies.empty()) return;
  w.write_deadline.reset();
  const resp::Value& reply = message.replies.front();
  if (reply.is_error()) {
    ++errors_;
    Forget(w, reply.str.substr(0, reply.str.find(' ')));
    return;
  }
  ++oks_;
}

void SimClients::OnAskReply(Writer& w, const Message& message) {
  CloseAsk(w);
  const resp::Value* reply = message.replies.empty() ? nullptr : &message.replies.front();
  int port = 0;
  if (reply == nullptr || reply->type != resp::Value::Type::kArray || reply->elements.size() != 2 ||
      !vigil::ParsePort(reply->elements[1].str, &port)) {
    ++w.next_sentinel;  // no answer from this one (TILT, unknown master): ask another
    return;
  }
  const vigil::HostPort addr{reply->elements[0].str, port};
  if (w.master && *w.master == addr) return;
  Forget(w, "sentinel names " + vigil::FormatHostPort(addr));
  w.master = addr;
  world_.trace().Add(world_.now(), "c" + std::to_string(w.index + 1),
                     "writes to " + vigil::FormatHostPort(addr));
}

}  // namespace vigil::sim
