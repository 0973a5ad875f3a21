#include "datanode/store/key_table.h"

#include "common/base/check.h"

namespace vigil::datanode {

KeyTable::~KeyTable() {
  Clear();
}

void KeyTable::Clear() {
  table_.Clear([](Entry* e) { Entry::Free(e); });
}

Entry* KeyTable::Replace(Entry* e) {
  VIGIL_CHECK(table_.Peek(e->key()) != nullptr);
  return table_.Replace(e);
}

}  // namespace vigil::datanode
