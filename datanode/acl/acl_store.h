#pragma once
// All ACL users by name (byte order, as Redis lists them), with the `default` user every new
// connection starts as. Pure: no files, no clock, no sessions. The service disconnects the
// clients of users that a change removes (Remove, LoadFile hand them back).
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/acl/acl_user.h"

namespace vigil::datanode {

// A `user` line from the configuration, with where it was for error messages.
struct AclConfigUser {
  std::string where;              // "file:line"
  std::vector<std::string> args;  // name, rules...
};

class AclStore {
 public:
  explicit AclStore(const AclCatalog* catalog);

  const AclCatalog& catalog() const { return *catalog_; }
  AclUser* default_user() { return default_; }
  const AclUser* default_user() const { return default_; }
  AclUser* Find(std::string_view name);
  const std::map<std::string, std::unique_ptr<AclUser>>& users() const { return users_; }

  // acl-pubsub-default: whether new users and selectors start with every channel.
  void set_allchannels_default(bool v) { allchannels_default_ = v; }
  bool allchannels_default() const { return allchannels_default_; }

  // ACL SETUSER: creates the user if needed, all rules or none. "" or Redis's error text. When
  // the user existed, *previous (if given) receives a copy of it as it was.
  std::string SetUser(const std::string& name, std::span<const std::string> rules,
                      std::unique_ptr<AclUser>* previous = nullptr);
  // ACL DELUSER of one user (never `default`): the removed user, or null.
  std::unique_ptr<AclUser> Remove(std::string_view name);

  // requirepass: the default user gets exactly this password ("" = nopass), as Redis's
  // ACLUpdateDefaultUserPassword.
  void SetDefaultPassword(const std::string& password);

  // `user` lines of the configuration, applied at start-up. "" or the error, naming the line.
  std::string LoadConfigUsers(const std::vector<AclConfigUser>& lines);

  // ACL LOAD / aclfile at start-up: replaces every user with the file's. On any error nothing
  // changes and the errors are returned (Redis's texts, `filename` as configured). On success
  // the replaced users (all but `default`, whose object stays and takes the file's rules) go to
  // *removed.
  std::string LoadFile(std::string_view text, const std::string& filename,
                       std::vector<std::unique_ptr<AclUser>>* removed);
  // ACL SAVE / CONFIG REWRITE: one "user <name> <rules>" line per user.
  std::vector<std::string> UserLines() const;

 private:
  std::unique_ptr<AclUser> NewUser(const std::string& name) const;
  std::unique_ptr<AclUser> NewDefaultUser() const;

  const AclCatalog* catalog_;
  bool allchannels_default_ = false;
  std::map<std::string, std::unique_ptr<AclUser>> users_;
  AclUser* default_ = nullptr;
};

}  // namespace vigil::datanode
