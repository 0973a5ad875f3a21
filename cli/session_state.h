#pragma once
// What vigil-cli remembers about its connection between commands, as redis-cli does: the
// selected database (shown in the prompt as "[2]"), MULTI state ("(TX)") and the protocol.
// Pure: fed each command and the type of its reply.
#include <string>
#include <vector>

#include "common/resp/value.h"

namespace vigil::cli {

class SessionState {
 public:
  SessionState(std::string host, int port) : host_(std::move(host)), port_(port) {}

  // "127.0.0.1:6379> ", "127.0.0.1:6379[2]> ", "127.0.0.1:6379(TX)> ", or
  // "not connected> " when there is no connection.
  std::string Prompt(bool connected) const;

  // Records the effect of a command once its reply arrived: SELECT changes the database,
  // MULTI/EXEC/DISCARD the transaction state (a failed EXEC or a DISCARD restores the database
  // in use before MULTI), RESET returns to database 0 and RESP2, HELLO changes the protocol.
  void OnReply(const std::vector<std::string>& argv, const resp::Value& reply);

  void SetAddress(std::string host, int port);
  void set_db(int db) { db_ = db; }
  int db() const { return db_; }
  bool resp3() const { return resp3_; }
  void set_resp3(bool on) { resp3_ = on; }

 private:
  std::string host_;
  int port_;
  int db_ = 0;
  bool in_multi_ = false;
  int pre_multi_db_ = 0;
  bool resp3_ = false;
};

// Commands after which the server streams messages until the connection ends.
bool StartsSubscription(const std::vector<std::string>& argv);  // (S|P)SUBSCRIBE
bool StartsMonitor(const std::vector<std::string>& argv);       // MONITOR

}  // namespace vigil::cli
