// TOML front door. Keys are Redis directive names; tables flatten to dotted names so a program
// can give sections their own meaning (the sentinel's per-master tables). toml++ reports errors
// by exception: this file is the one place that catches them.
#include <toml++/toml.h>

#include <algorithm>

#include "common/config/config_file.h"

namespace vigil::config {
namespace {

std::string Scalar(const toml::node& n, bool* ok) {
  *ok = true;
  if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
  if (n.is_boolean()) return *n.value<bool>() ? "yes" : "no";
  if (n.is_integer()) return std::to_string(*n.value<int64_t>());
  if (n.is_floating_point()) {
    std::string s = std::to_string(*n.value<double>());
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  *ok = false;
  return {};
}

Status Flatten(const toml::table& table, const std::string& prefix, const std::string& file,
               std::vector<Directive>* out) {
  for (auto&& [key, node] : table) {
    std::string name =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    Directive d;
    d.name = name;
    d.file = file;
    d.line = int(node.source().begin.line);
    if (const toml::table* sub = node.as_table()) {
      Status st = Flatten(*sub, name, file, out);
      if (!st.ok()) return st;
      continue;
    }
    if (const toml::array* arr = node.as_array()) {
      // An array of arrays repeats the directive (save = [[900, 1], [300, 10]]); a flat array
      // gives one directive with several arguments (bind = ["127.0.0.1", "::1"]).
      bool nested = !arr->empty() && arr->front().is_array();
      if (nested) {
        for (const auto& row : *arr) {
          Directive r = d;
          const toml::array* inner = row.as_array();
          if (inner == nullptr)
            return Status::Error(d.Where() + ": '" + name + "' mixes arrays and values");
          for (const auto& el : *inner) {
            bool ok = false;
            r.args.push_back(Scalar(el, &ok));
            if (!ok)
              return Status::Error(d.Where() + ": '" + name + "' holds an unsupported value");
          }
          out->push_back(std::move(r));
        }
        continue;
      }
      for (const auto& el : *arr) {
        bool ok = false;
        d.args.push_back(Scalar(el, &ok));
        if (!ok) return Status::Error(d.Where() + ": '" + name + "' holds an unsupported value");
      }
      if (d.args.empty()) d.args.emplace_back();
      out->push_back(std::move(d));
      continue;
    }
    bool ok = false;
    d.args.push_back(Scalar(node, &ok));
    if (!ok) return Status::Error(d.Where() + ": '" + name + "' holds an unsupported value");
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Directive>> ParseToml(const std::string& text, const std::string& file) {
  toml::table table;
  try {
    table = toml::parse(text, file);
  } catch (const toml::parse_error& err) {
    const auto& where = err.source().begin;
    return Status::Error(file + ":" + std::to_string(where.line) + ":" +
                         std::to_string(where.column) + ": " + std::string(err.description()));
  }
  std::vector<Directive> out;
  Status st = Flatten(table, "", file, &out);
  if (!st.ok()) return st;
  // toml++ iterates tables in key order; present directives in file order instead, so later
  // lines override earlier ones predictably and errors come in reading order.
  std::stable_sort(out.begin(), out.end(),
                   [](const Directive& a, const Directive& b) { return a.line < b.line; });
  return out;
}

}  // namespace vigil::config
