// Executes a parsed template as Go's text/template does (exec.go, Go 1.19), with the data and
// options of a Prometheus 2.42 alerting rule: dot is the struct {Labels, ExternalLabels,
// ExternalURL, Value}, the $labels/$value/... variables are declared by a prefix that is parsed
// with the template (so positions in errors match Prometheus'), and a missing map key yields the
// zero value (missingkey=zero).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/rules/template.h"
#include "agent/rules/template_internal.h"

namespace sidecar::rules {
namespace tmpl {
namespace {

// What Prometheus prepends to every alert label and annotation template.
constexpr std::string_view kAlertDefs =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

// Bounds on one expansion: nested ranges over a map multiply, so a hostile template could
// otherwise run for ever. No real alert template comes near either.
constexpr int64_t kMaxSteps = 1'000'000;
// Nesting of control structures and {{template}} calls while executing (Go allows 100000
// template calls; our frames are larger, so the bound is lower).
constexpr int kMaxExecDepth = 1000;
constexpr size_t kMaxOutput = 1 << 20;

enum class Flow { kNormal, kBreak, kContinue };

using Args = std::vector<std::unique_ptr<Node>>;

class Executor {
 public:
  Executor(std::string_view name, std::string_view text, const Tree& tree, const TemplateData& data)
      : name_(name), tmpl_name_(name), text_(text), tree_(tree), data_(data) {
    ctx_.data = &data;
  }

  std::string Run() {
    Value dot = Value::Make(Kind::kData);
    dot.data = &data_;
    vars_.push_back({"$", dot});
    Walk(dot, *tree_.templates.find(name_)->second);
    return std::move(out_);
  }

 private:
  struct Variable {
    std::string name;
    Value value;
  };

  [[noreturn]] void Errorf(const std::string& message) {
    if (node_ == nullptr) throw Error{"template: " + name_ + ": " + message};
    std::string_view before = text_.substr(0, node_->pos);
    size_t newline = before.rfind('\n');
    int line = 1;
    for (char c : before) line += c == '\n';
    size_t column = newline == std::string_view::npos ? before.size() : before.size() - newline - 1;
    throw Error{"template: " + name_ + ":" + std::to_string(line) + ":" + std::to_string(column) +
                ": executing " + GoQuote(tmpl_name_) + " at <" + NodeString(*node_) +
                ">: " + message};
  }

  void At(const Node& node) { node_ = &node; }

  void Step() {
    if (++steps_ > kMaxSteps) Errorf("template execution exceeded its step budget");
  }

  void Emit(std::string_view s) {
    out_ += s;
    if (out_.size() > kMaxOutput) Errorf("template output exceeded its size budget");
  }

  Flow Walk(const Value& dot, const Node& node) {
    Step();
    At(node);
    switch (node.type) {
      case NodeType::kList:
        for (const auto& n : node.nodes) {
          Flow flow = Walk(dot, *n);
          if (flow != Flow::kNormal) return flow;
        }
        return Flow::kNormal;
      case NodeType::kText:
        Emit(node.text);
        return Flow::kNormal;
      case NodeType::kAction: {
        Value v = EvalPipeline(dot, *node.pipe);
        if (node.pipe->decl.empty()) {
          Emit(v.kind == Kind::kInvalid ? std::string("<no value>") : Sprint({v}));
        }
        return Flow::kNormal;
      }
      case NodeType::kIf:
      case NodeType::kWith: {
        DepthGuard guard(*this);
        return WalkIfOrWith(dot, node);
      }
      case NodeType::kRange: {
        DepthGuard guard(*this);
        return WalkRange(dot, node);
      }
      case NodeType::kTemplate: {
        DepthGuard guard(*this);
        WalkTemplate(dot, node);
        return Flow::kNormal;
      }
      case NodeType::kBreak:
        return Flow::kBreak;
      case NodeType::kContinue:
        return Flow::kContinue;
      default:
        Errorf("unknown node");
    }
  }

  struct DepthGuard {
    explicit DepthGuard(Executor& e) : executor(e) {
      if (++executor.depth_ > kMaxExecDepth) {
        executor.Errorf("exceeded maximum template depth (" + std::to_string(kMaxExecDepth) + ")");
      }
    }
    ~DepthGuard() { --executor.depth_; }
    Executor& executor;
  };

  void WalkTemplate(const Value& dot, const Node& node) {
    auto it = tree_.templates.find(node.text);
    if (it == tree_.templates.end()) Errorf("template " + GoQuote(node.text) + " not defined");
    Value new_dot = node.pipe ? EvalPipeline(dot, *node.pipe) : Value();
    // No dynamic scoping: the called template sees only $.
    std::vector<Variable> saved_vars{{"$", new_dot}};
    std::swap(vars_, saved_vars);
    std::string saved_name = std::exchange(tmpl_name_, it->first);
    Walk(new_dot, *it->second);
    tmpl_name_ = std::move(saved_name);
    std::swap(vars_, saved_vars);
  }

  Flow WalkIfOrWith(const Value& dot, const Node& node) {
    size_t mark = vars_.size();
    Value v = EvalPipeline(dot, *node.pipe);
    bool ok = true;
    bool truth = Truth(v, &ok);
    if (!ok) Errorf("if/with can't use " + Sprint({v}));
    Flow flow = Flow::kNormal;
    if (truth) {
      flow = Walk(node.type == NodeType::kWith ? v : dot, *node.list);
    } else if (node.else_list) {
      flow = Walk(dot, *node.else_list);
    }
    vars_.resize(mark);
    return flow;
  }

  // One iteration of a range; false to stop ({{break}}).
  bool RangeOnce(const Node& node, const Value& key, const Value& elem) {
    const auto& decl = node.pipe->decl;
    if (!decl.empty()) {
      if (node.pipe->is_assign) {
        SetVar(decl[0], decl.size() > 1 ? key : elem);
        if (decl.size() > 1) SetVar(decl[1], elem);
      } else {
        vars_[vars_.size() - 1].value = elem;
        if (decl.size() > 1) vars_[vars_.size() - 2].value = key;
      }
    }
    size_t mark = vars_.size();
    Flow flow = Walk(elem, *node.list);
    vars_.resize(mark);
    return flow != Flow::kBreak;
  }

  Flow WalkRange(const Value& dot, const Node& node) {
    size_t mark = vars_.size();
    At(node);
    Value v = EvalPipeline(dot, *node.pipe);
    bool any = false;
    switch (v.kind) {
      case Kind::kStringMap:
        for (const auto& [k, e] : *v.string_map) {
          any = true;
          if (!RangeOnce(node, Value::String(k), Value::String(e))) break;
        }
        break;
      case Kind::kAnyMap:
        for (const auto& [k, e] : *v.any_map) {
          any = true;
          if (!RangeOnce(node, Value::String(k), e)) break;
        }
        break;
      case Kind::kQueryResult:
      case Kind::kInvalid:
        break;
      default:
        At(node);
        Errorf("range can't iterate over " + Sprint({v}));
    }
    if (!any && node.else_list) Walk(dot, *node.else_list);
    vars_.resize(mark);
    return Flow::kNormal;
  }

  Value VarValue(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->name == name) return it->value;
    }
    Errorf("undefined variable: " + name);
  }

  void SetVar(const std::string& name, const Value& value) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->name == name) {
        it->value = value;
        return;
      }
    }
    Errorf("undefined variable: " + name);
  }

  Value EvalPipeline(const Value& dot, const Node& pipe) {
    std::optional<Value> value;
    for (const auto& cmd : pipe.nodes) {
      value = EvalCommand(dot, *cmd, value ? &*value : nullptr);
      // A nil interface{} (a missing key of args' map) becomes "no value", as in Go.
      if (value->kind == Kind::kNil) value = Value();
    }
    for (const auto& name : pipe.decl) {
      if (pipe.is_assign) {
        SetVar(name, *value);
      } else {
        vars_.push_back({name, *value});
      }
    }
    return *value;
  }

  void NotAFunction(const Args& args, const Value* final) {
    if (args.size() > 1 || final != nullptr) {
      Errorf("can't give argument to non-function " + NodeString(*args[0]));
    }
  }

  Value EvalCommand(const Value& dot, const Node& cmd, const Value* final) {
    Step();
    const Node& first = *cmd.nodes[0];
    switch (first.type) {
      case NodeType::kField:
        return EvalFieldNode(dot, first, cmd.nodes, final);
      case NodeType::kChain:
        return EvalChainNode(dot, first, cmd.nodes, final);
      case NodeType::kIdentifier:
        return EvalFunction(dot, first, cmd, &cmd.nodes, final);
      case NodeType::kPipe:
        NotAFunction(cmd.nodes, final);
        return EvalPipeline(dot, first);
      case NodeType::kVariable:
        return EvalVariableNode(dot, first, cmd.nodes, final);
      default:
        break;
    }
    At(first);
    NotAFunction(cmd.nodes, final);
    switch (first.type) {
      case NodeType::kBool:
        return Value::Bool(first.bool_value);
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        Errorf("nil is not a command");
      case NodeType::kNumber:
        return IdealConstant(first);
      case NodeType::kString:
        return Value::String(first.text);
      default:
        Errorf("can't evaluate command " + GoQuote(NodeString(first)));
    }
  }

  Value IdealConstant(const Node& n) {
    const std::string& t = n.literal;
    bool hex_int = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') &&
                   t.find_first_of("pP") == std::string::npos;
    bool rune_int = !t.empty() && t[0] == '\'';
    if (n.is_float && !hex_int && !rune_int && t.find_first_of(".eEpP") != std::string::npos) {
      return Value::Float(n.float_value);
    }
    if (n.is_int) return Value::Int(n.int_value);
    return Value();
  }

  Value EvalFieldNode(const Value& dot, const Node& field, const Args& args, const Value* final) {
    At(field);
    return EvalFieldChain(dot, dot, field, 0, args, final);
  }

  Value EvalChainNode(const Value& dot, const Node& chain, const Args& args, const Value* final) {
    if (chain.pipe->type == NodeType::kNil) {
      Errorf("indirection through explicit nil in " + NodeString(chain));
    }
    Value receiver = EvalArg(dot, nullptr, *chain.pipe);
    return EvalFieldChain(dot, receiver, chain, 0, args, final);
  }

  Value EvalVariableNode(const Value& dot, const Node& var, const Args& args, const Value* final) {
    At(var);
    Value value = VarValue(var.idents[0]);
    if (var.idents.size() == 1) {
      NotAFunction(args, final);
      return value;
    }
    return EvalFieldChain(dot, value, var, 1, args, final);
  }

  Value EvalFieldChain(const Value& dot, Value receiver, const Node& node, size_t from,
                       const Args& args, const Value* final) {
    static const Args kNoArgs;
    const auto& idents = node.idents;
    for (size_t i = from; i + 1 < idents.size(); ++i) {
      receiver = EvalField(dot, idents[i], node, kNoArgs, nullptr, receiver);
    }
    return EvalField(dot, idents.back(), node, args, final, receiver);
  }

  Value EvalField(const Value& dot, const std::string& name, const Node& node, const Args& args,
                  const Value* final, const Value& receiver) {
    bool has_args = args.size() > 1 || final != nullptr;
    switch (receiver.kind) {
      case Kind::kInvalid:
        return Value();
      case Kind::kData: {
        Value v;
        if (name == "Labels") {
          v = Value::BorrowedMap(receiver.data->labels);
        } else if (name == "ExternalLabels") {
          v = Value::BorrowedMap(receiver.data->external_labels);
        } else if (name == "ExternalURL") {
          v = Value::String(receiver.data->external_url);
        } else if (name == "Value") {
          v = Value::Float(receiver.data->value);
        } else {
          break;
        }
        if (has_args) Errorf(name + " has arguments but cannot be invoked as function");
        return v;
      }
      case Kind::kStringMap: {
        if (has_args) Errorf(name + " is not a method but has arguments");
        auto it = receiver.string_map->find(name);
        return Value::String(it == receiver.string_map->end() ? "" : it->second);
      }
      case Kind::kAnyMap: {
        if (has_args) Errorf(name + " is not a method but has arguments");
        auto it = receiver.any_map->find(name);
        return it == receiver.any_map->end() ? Value::Nil() : it->second;
      }
      case Kind::kTime:
        if (auto method = FindTimeMethod(name)) {
          CallContext saved = ctx_;
          ctx_.receiver = &receiver;
          ctx_.method = method->name;
          Value v = EvalCall(dot, *method, node, &args, final);
          ctx_ = saved;
          return v;
        }
        break;
      case Kind::kNil:
        Errorf("nil pointer evaluating interface {}." + name);
      default:
        break;
    }
    Errorf("can't evaluate field " + name + " in type " + TypeName(receiver));
  }

  Value EvalFunction(const Value& dot, const Node& ident, const Node& cmd, const Args* args,
                     const Value* final) {
    At(ident);
    const Function* fn = FindFunction(ident.text);
    if (fn == nullptr) Errorf(GoQuote(ident.text) + " is not a defined function");
    return EvalCall(dot, *fn, cmd, args, final);
  }

  Value EvalCall(const Value& dot, const Function& fn, const Node& cmd, const Args* all_args,
                 const Value* final) {
    std::vector<const Node*> args;
    if (all_args != nullptr) {
      for (size_t i = 1; i < all_args->size(); ++i) args.push_back((*all_args)[i].get());
    }
    const std::string name(fn.name);
    size_t num_in = args.size() + (final != nullptr ? 1 : 0);
    size_t num_params = fn.params.size();
    size_t num_fixed = args.size();
    if (fn.variadic) {
      num_fixed = num_params - 1;
      if (num_in < num_fixed) {
        Errorf("wrong number of args for " + name + ": want at least " +
               std::to_string(num_params - 1) + " got " + std::to_string(args.size()));
      }
    } else if (num_in != num_params) {
      Errorf("wrong number of args for " + name + ": want " + std::to_string(num_params) + " got " +
             std::to_string(num_in));
    }
    if (name == "and" || name == "or") {
      // Go 1.18+: and/or stop at the first argument that decides the result.
      Value v;
      for (const Node* arg : args) {
        v = EvalArg(dot, &fn.params[0], *arg);
        if (Truth(v) == (name == "or")) return v;
      }
      if (final != nullptr) v = ValidateType(*final, Param::kReflect);
      return v;
    }
    std::vector<Value> argv;
    size_t i = 0;
    for (; i < num_fixed && i < args.size(); ++i)
      argv.push_back(EvalArg(dot, &fn.params[i], *args[i]));
    if (fn.variadic) {
      for (; i < args.size(); ++i) argv.push_back(EvalArg(dot, &fn.params.back(), *args[i]));
    }
    if (final != nullptr) {
      Param t = fn.params.back();
      if (fn.variadic && num_in - 1 < num_fixed) t = fn.params[num_in - 1];
      argv.push_back(ValidateType(*final, t));
    }
    try {
      return fn.call(ctx_, argv);
    } catch (const Error& e) {
      At(cmd);
      Errorf("error calling " + name + ": " + e.message);
    }
  }

  static bool CanBeNil(Param p) {
    return p == Param::kAny || p == Param::kQueryResult || p == Param::kSample;
  }

  Value ValidateType(const Value& value, Param typ) {
    if (value.kind == Kind::kInvalid) {
      if (CanBeNil(typ)) return Value::Nil();
      Errorf("invalid value; expected " + ParamTypeName(typ));
    }
    switch (typ) {
      case Param::kAny:
      case Param::kReflect:
        return value;
      case Param::kString:
        if (value.kind == Kind::kString) return value;
        break;
      case Param::kQueryResult:
        if (value.kind == Kind::kQueryResult || value.kind == Kind::kNil) return value;
        break;
      case Param::kSample:
        if (value.kind == Kind::kNil) return value;
        break;
    }
    Errorf("wrong type for value; expected " + ParamTypeName(typ) + "; got " + TypeName(value));
  }

  Value EvalArg(const Value& dot, const Param* typ, const Node& n) {
    At(n);
    auto validate = [&](const Value& v) { return typ == nullptr ? v : ValidateType(v, *typ); };
    static const Args kNoArgs;
    switch (n.type) {
      case NodeType::kDot:
        return validate(dot);
      case NodeType::kNil:
        if (typ != nullptr && CanBeNil(*typ)) return Value::Nil();
        Errorf("cannot assign nil to " + ParamTypeName(typ == nullptr ? Param::kAny : *typ));
      case NodeType::kField:
        return validate(EvalFieldNode(dot, n, kNoArgs, nullptr));
      case NodeType::kVariable:
        return validate(EvalVariableNode(dot, n, kNoArgs, nullptr));
      case NodeType::kPipe:
        return validate(EvalPipeline(dot, n));
      case NodeType::kIdentifier:
        return validate(EvalFunction(dot, n, n, nullptr, nullptr));
      case NodeType::kChain:
        return validate(EvalChainNode(dot, n, kNoArgs, nullptr));
      default:
        break;
    }
    Param p = typ == nullptr ? Param::kAny : *typ;
    switch (p) {
      case Param::kString:
        if (n.type == NodeType::kString) return Value::String(n.text);
        Errorf("expected string; found " + NodeString(n));
      case Param::kAny:
      case Param::kReflect:
        if (n.type == NodeType::kBool) return Value::Bool(n.bool_value);
        if (n.type == NodeType::kNumber) return IdealConstant(n);
        if (n.type == NodeType::kString) return Value::String(n.text);
        break;
      default:
        break;
    }
    Errorf("can't handle " + NodeString(n) + " for arg of type " + ParamTypeName(p));
  }

  std::string name_;       // the template's parse name, as error locations show it
  std::string tmpl_name_;  // the template executing now ({{define}}d ones have their own)
  std::string_view text_;
  const Tree& tree_;
  int depth_ = 0;
  const TemplateData& data_;
  CallContext ctx_;
  const Node* node_ = nullptr;
  std::vector<Variable> vars_;
  std::string out_;
  int64_t steps_ = 0;
};

}  // namespace
}  // namespace tmpl

Status CheckTemplate(std::string_view name, std::string_view text) {
  std::string full = std::string(tmpl::kAlertDefs) + std::string(text);
  auto tree = tmpl::Parse(name, full, /*allow_query=*/false);
  return tree.ok() ? Status::Ok() : tree.status();
}

Status CheckTemplate(std::string_view text) { return CheckTemplate("__alert", text); }

Result<std::string> ExpandTemplate(std::string_view name, std::string_view text,
                                   const TemplateData& data) {
  std::string full = std::string(tmpl::kAlertDefs) + std::string(text);
  auto tree = tmpl::Parse(name, full, /*allow_query=*/false);
  if (!tree.ok()) {
    return Status::InvalidArgument("error parsing template " + std::string(name) + ": " +
                                   tree.status().message());
  }
  try {
    tmpl::Executor executor(name, full, *tree, data);
    return executor.Run();
  } catch (const tmpl::Error& e) {
    return Status::InvalidArgument("error executing template " + std::string(name) + ": " +
                                   e.message);
  }
}

}  // namespace sidecar::rules
