// The parser of Go's text/template (parse.go, Go 1.19 as in Prometheus 2.42), producing the
// tree that template_exec.cc walks. Error messages follow Go's wording so that a refused rule
// file reads as Prometheus would print it.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "agent/rules/template_internal.h"
#include "agent/rules/template_lex.h"

namespace sidecar::rules::tmpl {
namespace {

// Deeper nesting of control structures or parentheses is refused, so that hostile input
// cannot exhaust the stack of the parser or of the executor.
constexpr int kMaxDepth = 1000;

class Parser {
 public:
  Parser(std::string_view name, std::string_view text, bool allow_query)
      : name_(name), text_(text), allow_query_(allow_query) {
    tokens_ = Lex(text);
  }

  Tree ParseAll() {
    auto root = NewNode(NodeType::kList, 0);
    while (Peek().type != Tok::kEof) {
      if (Peek().type == Tok::kLeftDelim) {
        size_t at_delim = index_;
        Next();
        const Token& t = NextNonSpace();
        if (t.type == Tok::kKeyword && t.val == "define") {
          ParseDefinition();
          continue;
        }
        index_ = at_delim;
      }
      auto n = TextOrAction();
      if (!n) continue;
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        Errorf(std::string("unexpected ") + (n->type == NodeType::kEnd ? "{{end}}" : "{{else}}"));
      }
      root->nodes.push_back(std::move(n));
    }
    AddTemplate(std::string(name_), std::move(root));
    return std::move(tree_);
  }

 private:
  [[noreturn]] void Errorf(const std::string& message) {
    throw Error{"template: " + std::string(name_) + ":" + std::to_string(tokens_[furthest_].line) +
                ": " + message};
  }

  std::unique_ptr<Node> NewNode(NodeType type, int pos) {
    auto n = std::make_unique<Node>();
    n->type = type;
    n->pos = pos;
    return n;
  }

  const Token& Next() {
    current_ = index_ < tokens_.size() ? tokens_[index_] : tokens_.back();
    if (index_ < tokens_.size()) ++index_;
    furthest_ = std::max(furthest_, index_ - 1);
    return current_;
  }
  void Backup() { --index_; }
  const Token& Peek() { return tokens_[std::min(index_, tokens_.size() - 1)]; }
  const Token& NextNonSpace() {
    while (Next().type == Tok::kSpace) {
    }
    return current_;
  }
  const Token& PeekNonSpace() {
    NextNonSpace();
    Backup();
    return current_;
  }

  static std::string TokenString(const Token& t) {
    switch (t.type) {
      case Tok::kEof:
        return "EOF";
      case Tok::kError:
        return t.val;
      case Tok::kKeyword:
      case Tok::kDot:  // Go lists . and nil among its keywords
      case Tok::kNil:
        return "<" + t.val + ">";
      default:
        if (t.val.size() > 10) return GoQuote(t.val.substr(0, 10)) + "...";
        return GoQuote(t.val);
    }
  }

  [[noreturn]] void Unexpected(const Token& t, const std::string& context) {
    if (t.type == Tok::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != t.line) {
        extra = " in action started at " + std::string(name_) + ":" + std::to_string(action_line_);
        if (t.val.ends_with(" action")) extra = extra.substr(std::string(" in action").size());
      }
      Errorf(t.val + extra);
    }
    Errorf("unexpected " + TokenString(t) + " in " + context);
  }

  const Token& Expect(Tok type, const std::string& context) {
    const Token& t = NextNonSpace();
    if (t.type != type) Unexpected(t, context);
    return t;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth) parser.Errorf("max expression depth exceeded");
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  std::unique_ptr<Node> TextOrAction() {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kText: {
        auto n = NewNode(NodeType::kText, t.pos);
        n->text = t.val;
        return n;
      }
      case Tok::kLeftDelim: {
        action_line_ = Peek().line;
        auto n = Action();
        action_line_ = 0;
        return n;
      }
      case Tok::kComment:
        return nullptr;
      default:
        Unexpected(t, "input");
    }
  }

  std::unique_ptr<Node> Action() {
    const Token& t = NextNonSpace();
    if (t.type == Tok::kKeyword) {
      if (t.val == "if") return Control(NodeType::kIf, "if");
      if (t.val == "range") return Control(NodeType::kRange, "range");
      if (t.val == "with") return Control(NodeType::kWith, "with");
      if (t.val == "else") return ElseControl();
      if (t.val == "end") {
        int pos = Expect(Tok::kRightDelim, "end").pos;
        return NewNode(NodeType::kEnd, pos);
      }
      if (t.val == "break" || t.val == "continue") {
        int pos = t.pos;
        if (range_depth_ == 0) Errorf("{{" + t.val + "}} outside {{range}}");
        Expect(Tok::kRightDelim, "{{" + t.val + "}}");
        return NewNode(t.val == "break" ? NodeType::kBreak : NodeType::kContinue, pos);
      }
      if (t.val == "template") return TemplateControl();
      if (t.val == "block") return BlockControl();
      // {{define}} is only valid at the top level: Go then reports it as an operand.
    }
    Backup();
    int pos = Peek().pos;
    auto n = NewNode(NodeType::kAction, pos);
    n->pipe = Pipeline("command", Tok::kRightDelim);
    return n;
  }

  static bool IsEmptyTree(const Node& n) {
    switch (n.type) {
      case NodeType::kList:
        for (const auto& c : n.nodes) {
          if (!IsEmptyTree(*c)) return false;
        }
        return true;
      case NodeType::kText:
        return n.text.find_first_not_of(" \t\r\n") == std::string::npos;
      default:
        return false;
    }
  }

  // Go's treeSet.add: an empty definition never replaces a template, and two non-empty
  // definitions of one name are an error.
  void AddTemplate(const std::string& name, std::unique_ptr<Node> root) {
    auto it = tree_.templates.find(name);
    if (it == tree_.templates.end() || IsEmptyTree(*it->second)) {
      tree_.templates[name] = std::move(root);
    } else if (!IsEmptyTree(*root)) {
      Errorf("template: multiple definition of template " + GoQuote(name));
    }
  }

  std::string TemplateName(const Token& t, const std::string& context) {
    if (t.type != Tok::kString && t.type != Tok::kRawString) Unexpected(t, context);
    std::string name;
    if (!Unquote(t.val, name)) Errorf("invalid syntax");
    return name;
  }

  // The body of a named template is parsed with its own variables ($ only).
  std::unique_ptr<Node> NamedBody(const std::string& context) {
    DepthGuard guard(*this);
    std::vector<std::string> saved_vars{"$"};
    std::swap(vars_, saved_vars);
    int saved_range_depth = std::exchange(range_depth_, 0);
    std::unique_ptr<Node> end;
    auto body = ItemList(end);
    if (end->type != NodeType::kEnd) Errorf("unexpected {{else}} in " + context);
    std::swap(vars_, saved_vars);
    range_depth_ = saved_range_depth;
    return body;
  }

  void ParseDefinition() {
    const std::string context = "define clause";
    std::string name = TemplateName(NextNonSpace(), context);
    Expect(Tok::kRightDelim, context);
    AddTemplate(name, NamedBody(context));
  }

  std::unique_ptr<Node> TemplateControl() {
    const std::string context = "template clause";
    const Token& t = NextNonSpace();
    auto n = NewNode(NodeType::kTemplate, t.pos);
    n->text = TemplateName(t, context);
    if (NextNonSpace().type != Tok::kRightDelim) {
      Backup();
      n->pipe = Pipeline(context, Tok::kRightDelim);
    }
    return n;
  }

  std::unique_ptr<Node> BlockControl() {
    const std::string context = "block clause";
    const Token& t = NextNonSpace();
    auto n = NewNode(NodeType::kTemplate, t.pos);
    n->text = TemplateName(t, context);
    n->pipe = Pipeline(context, Tok::kRightDelim);
    AddTemplate(n->text, NamedBody(context));
    return n;
  }

  std::unique_ptr<Node> ElseControl() {
    const Token& peek = PeekNonSpace();
    if (peek.type == Tok::kKeyword && peek.val == "if") return NewNode(NodeType::kElse, peek.pos);
    int pos = Expect(Tok::kRightDelim, "else").pos;
    return NewNode(NodeType::kElse, pos);
  }

  std::unique_ptr<Node> Control(NodeType type, const std::string& context) {
    DepthGuard guard(*this);
    size_t vars_mark = vars_.size();
    auto n = NewNode(type, 0);
    n->pipe = Pipeline(context, Tok::kRightDelim);
    n->pos = n->pipe->pos;
    if (type == NodeType::kRange) ++range_depth_;
    std::unique_ptr<Node> next;
    n->list = ItemList(next);
    if (type == NodeType::kRange) --range_depth_;
    if (next->type == NodeType::kElse) {
      const Token& peek = Peek();
      if (type == NodeType::kIf && peek.type == Tok::kKeyword && peek.val == "if") {
        // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}.
        Next();
        n->else_list = NewNode(NodeType::kList, next->pos);
        n->else_list->nodes.push_back(Control(NodeType::kIf, "if"));
      } else {
        n->else_list = ItemList(next);
        if (next->type != NodeType::kEnd) Errorf("expected end; found {{else}}");
      }
    }
    vars_.resize(vars_mark);
    return n;
  }

  std::unique_ptr<Node> ItemList(std::unique_ptr<Node>& terminator) {
    auto list = NewNode(NodeType::kList, PeekNonSpace().pos);
    while (PeekNonSpace().type != Tok::kEof) {
      auto n = TextOrAction();
      if (!n) continue;
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        terminator = std::move(n);
        return list;
      }
      list->nodes.push_back(std::move(n));
    }
    Next();
    Errorf("unexpected EOF");
  }

  std::unique_ptr<Node> Pipeline(const std::string& context, Tok end) {
    auto pipe = NewNode(NodeType::kPipe, PeekNonSpace().pos);
    while (true) {
      if (PeekNonSpace().type != Tok::kVariable) break;
      size_t at_variable = index_;
      Token var = NextNonSpace();
      Token next = PeekNonSpace();
      if (next.type == Tok::kAssign || next.type == Tok::kDeclare) {
        pipe->is_assign = next.type == Tok::kAssign;
        NextNonSpace();
        pipe->decl.push_back(var.val);
        vars_.push_back(var.val);
      } else if (next.type == Tok::kChar && next.val == ",") {
        NextNonSpace();
        pipe->decl.push_back(var.val);
        vars_.push_back(var.val);
        if (context == "range" && pipe->decl.size() < 2) {
          Tok t = PeekNonSpace().type;
          if (t == Tok::kVariable || t == Tok::kRightDelim || t == Tok::kRightParen) continue;
          Errorf("range can only initialize variables");
        }
        Errorf("too many declarations in " + context);
      } else {
        // Not a declaration: the variable is the pipeline's first operand.
        index_ = at_variable;
      }
      break;
    }
    while (true) {
      const Token& t = NextNonSpace();
      if (t.type == end) {
        if (pipe->nodes.empty()) Errorf("missing value for " + context);
        for (size_t i = 1; i < pipe->nodes.size(); ++i) {
          NodeType first = pipe->nodes[i]->nodes[0]->type;
          if (first == NodeType::kBool || first == NodeType::kDot || first == NodeType::kNil ||
              first == NodeType::kNumber || first == NodeType::kString) {
            Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
          }
        }
        return pipe;
      }
      switch (t.type) {
        case Tok::kBool:
        case Tok::kCharConstant:
        case Tok::kDot:
        case Tok::kField:
        case Tok::kIdentifier:
        case Tok::kNumber:
        case Tok::kNil:
        case Tok::kRawString:
        case Tok::kString:
        case Tok::kVariable:
        case Tok::kLeftParen:
          Backup();
          pipe->nodes.push_back(Command());
          break;
        default:
          Unexpected(t, context);
      }
    }
  }

  std::unique_ptr<Node> Command() {
    auto cmd = NewNode(NodeType::kCommand, PeekNonSpace().pos);
    while (true) {
      PeekNonSpace();
      if (auto operand = Operand()) cmd->nodes.push_back(std::move(operand));
      const Token& t = Next();
      if (t.type == Tok::kSpace) continue;
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
        Backup();
      } else if (t.type != Tok::kPipe) {
        Unexpected(t, "operand");
      }
      break;
    }
    if (cmd->nodes.empty()) Errorf("empty command");
    return cmd;
  }

  std::unique_ptr<Node> Operand() {
    auto node = Term();
    if (!node) return nullptr;
    if (Peek().type != Tok::kField) return node;
    auto chain = NewNode(NodeType::kChain, Peek().pos);
    while (Peek().type == Tok::kField) chain->idents.push_back(Next().val.substr(1));
    switch (node->type) {
      case NodeType::kField:
      case NodeType::kVariable:
        // .A.B and $x.A.B are one field or variable node in Go, placed at the first chained
        // field (which is where Go's errors point).
        for (auto& f : chain->idents) node->idents.push_back(f);
        node->pos = chain->pos;
        return node;
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        Errorf("unexpected . after term " + GoQuote(NodeString(*node)));
      default:
        chain->pipe = std::move(node);
        return chain;
    }
  }

  std::unique_ptr<Node> Term() {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kIdentifier: {
        if (!FindFunction(t.val)) Errorf("function " + GoQuote(t.val) + " not defined");
        if (t.val == "query" && !allow_query_) {
          Errorf(
              "function \"query\" is not available: the agent does not run queries from "
              "templates");
        }
        auto n = NewNode(NodeType::kIdentifier, t.pos);
        n->text = t.val;
        return n;
      }
      case Tok::kDot:
        return NewNode(NodeType::kDot, t.pos);
      case Tok::kNil:
        return NewNode(NodeType::kNil, t.pos);
      case Tok::kVariable: {
        std::string name = t.val;
        bool known = false;
        for (const auto& v : vars_) known = known || v == name;
        if (!known) Errorf("undefined variable " + GoQuote(name));
        auto n = NewNode(NodeType::kVariable, t.pos);
        n->idents.push_back(name);
        return n;
      }
      case Tok::kField: {
        auto n = NewNode(NodeType::kField, t.pos);
        n->idents.push_back(t.val.substr(1));
        return n;
      }
      case Tok::kBool: {
        auto n = NewNode(NodeType::kBool, t.pos);
        n->bool_value = t.val == "true";
        return n;
      }
      case Tok::kCharConstant:
      case Tok::kNumber:
        return Number(t);
      case Tok::kLeftParen: {
        DepthGuard guard(*this);
        return Pipeline("parenthesized pipeline", Tok::kRightParen);
      }
      case Tok::kString:
      case Tok::kRawString: {
        auto n = NewNode(NodeType::kString, t.pos);
        n->literal = t.val;
        if (!Unquote(t.val, n->text)) Errorf("invalid syntax");
        return n;
      }
      default:
        Backup();
        return nullptr;
    }
  }

  std::unique_ptr<Node> Number(const Token& t) {
    auto n = NewNode(NodeType::kNumber, t.pos);
    const std::string& text = t.val;
    n->literal = text;
    if (t.type == Tok::kCharConstant) {
      size_t i = 1;
      bool byte_value = false;
      int64_t r = i < text.size() ? UnquoteChar(text, i, '\'', byte_value) : -1;
      if (r < 0) Errorf("invalid syntax");
      if (i != text.size() - 1) Errorf("malformed character constant: " + text);
      n->is_int = n->is_float = true;
      n->int_value = r;
      n->float_value = static_cast<double>(r);
      return n;
    }
    if (!text.empty() && text.back() == 'i') Errorf("complex numbers are not supported: " + text);
    int64_t i = 0;
    if (ParseGoInt(text, i)) {
      n->is_int = n->is_float = true;
      n->int_value = i;
      n->float_value = static_cast<double>(i);
      return n;
    }
    double f = 0;
    if (ParseGoFloat(text, f)) {
      if (text.find_first_of(".eEpP") == std::string::npos ||
          (text.find_first_of("xX") != std::string::npos &&
           text.find_first_of("pP") == std::string::npos)) {
        Errorf("integer overflow: " + GoQuote(text));
      }
      n->is_float = true;
      n->float_value = f;
      if (f >= -9.2e18 && f <= 9.2e18 && static_cast<double>(static_cast<int64_t>(f)) == f) {
        n->is_int = true;
        n->int_value = static_cast<int64_t>(f);
      }
      return n;
    }
    Errorf("illegal number syntax: " + GoQuote(text));
  }

  std::string_view name_;
  std::string_view text_;
  bool allow_query_;
  std::vector<Token> tokens_;
  size_t index_ = 0;
  Token current_;
  // Go reports the line of the last token its lexer produced, lookahead included.
  size_t furthest_ = 0;
  std::vector<std::string> vars_{"$"};
  int range_depth_ = 0;
  Tree tree_;
  int depth_ = 0;
  int action_line_ = 0;
};

}  // namespace

Result<Tree> Parse(std::string_view name, std::string_view text, bool allow_query) {
  try {
    Parser parser(name, text, allow_query);
    return parser.ParseAll();
  } catch (const Error& e) {
    return Status::InvalidArgument(e.message);
  }
}

}  // namespace sidecar::rules::tmpl
