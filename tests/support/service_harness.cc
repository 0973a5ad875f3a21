#include "tests/support/service_harness.h"

namespace vigil::testing {

ServiceHarness::ServiceHarness(int64_t start_unix_ms) : now_ms_(start_unix_ms) {
  datanode::RegisterDatanodeOptions(&config_, &registry_);
  service_ = std::make_unique<datanode::Service>(&config_, &registry_, /*seed=*/42);
  service_->set_now(now_ms_);
  NewSession();
}

ServiceHarness::~ServiceHarness() {
  for (auto& s : sessions_) service_->DetachSession(s.get());
}

datanode::Session& ServiceHarness::NewSession() {
  auto s = std::make_unique<datanode::Session>();
  s->id = next_id_++;
  s->addr = "127.0.0.1:" + std::to_string(40000 + s->id);
  s->laddr = "127.0.0.1:6379";
  s->created_ms = now_ms_;
  service_->AttachSession(s.get());
  sessions_.push_back(std::move(s));
  return *sessions_.back();
}

std::string ServiceHarness::Raw(const std::vector<std::string>& argv, datanode::Session* s) {
  if (s == nullptr) s = sessions_.front().get();
  service_->set_now(now_ms_);
  s->out.clear();
  service_->Execute(*s, argv, argv.size());
  std::string out = std::move(s->out);
  s->out.clear();
  return out;
}

resp::Value ServiceHarness::Run(const std::vector<std::string>& argv, datanode::Session* s) {
  std::string raw = Raw(argv, s);
  resp::ReplyParser parser;
  resp::Value v;
  size_t used = 0;
  if (parser.Parse(raw, &used, &v) != resp::ReplyParser::Status::kValue) {
    v = resp::Value{};
    v.type = resp::Value::Type::kError;
    v.str = "HARNESS: no complete reply: " + raw;
  }
  return v;
}

std::string ServiceHarness::TakeOutput(datanode::Session& s) {
  service_->TakeWoken();
  return std::exchange(s.out, {});
}

void ServiceHarness::AdvanceMs(int64_t ms) {
  now_ms_ += ms;
  service_->set_now(now_ms_);
  service_->Cron();
}

void RecordingPropagator::Propagate(int db, const std::vector<std::string>& argv) {
  log.push_back(argv);
  std::string line = std::to_string(db) + ":";
  for (const auto& a : argv) line += " " + a;
  lines.push_back(std::move(line));
}

std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}
std::string Int(int64_t v) {
  return ":" + std::to_string(v) + "\r\n";
}
std::string Arr(const std::vector<std::string>& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const auto& i : items) out += i;
  return out;
}
std::string BulkArr(const std::vector<std::string>& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const auto& i : items) out += Bulk(i);
  return out;
}

}  // namespace vigil::testing
