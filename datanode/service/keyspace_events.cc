// Keyspace notifications. They go through the pub/sub registry like a PUBLISH (so pattern
// subscribers, CLIENT REPLY OFF and RESP3 pushes behave the same) but are not a command: nothing
// is propagated. Replicas emit their own events from the commands they apply, as in Redis.
#include <string>

#include "datanode/config/keyspace_event_flags.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

void Service::NotifyKeyspaceEvent(int type, std::string_view event, std::string_view key, int db) {
  const int flags = config_->notify_keyspace_events;
  if ((flags & type) == 0) return;
  const std::string db_text = std::to_string(db);
  if (flags & notify::kKeyspace) {
    std::string channel = "__keyspace@" + db_text + "__:";
    channel += key;
    pubsub_.Publish(channel, event, &woken_);
  }
  if (flags & notify::kKeyevent) {
    std::string channel = "__keyevent@" + db_text + "__:";
    channel += event;
    pubsub_.Publish(channel, key, &woken_);
  }
}

}  // namespace vigil::datanode
