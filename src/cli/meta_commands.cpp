// berth completion bash|zsh|fish and the hidden berth help-markdown: both read the same
// CLI11 command tree the parser uses, so neither can drift from the commands.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

struct Node {
  std::string path;  // "servers ls"
  const CLI::App* app;
};

std::vector<const CLI::App*> visible_children(const CLI::App* app) {
  std::vector<const CLI::App*> children;
  for (const auto* child : app->get_subcommands([](const CLI::App*) { return true; })) {
    if (!child->get_group().empty()) {
      children.push_back(child);
    }
  }
  return children;
}

void walk(const CLI::App* app, const std::string& path, std::vector<Node>& nodes) {
  nodes.push_back({path, app});
  for (const auto* child : visible_children(app)) {
    walk(child, path.empty() ? child->get_name() : path + " " + child->get_name(), nodes);
  }
}

// The long flags of `app`, without those of `except` (the global ones, listed once).
std::vector<std::string> long_flags(const CLI::App* app, const CLI::App* except = nullptr) {
  std::vector<std::string> flags;
  for (const auto* option : app->get_options()) {
    for (const auto& name : option->get_lnames()) {
      const bool global = except != nullptr && except->get_option_no_throw("--" + name) != nullptr;
      if (!global) {
        flags.push_back("--" + name);
      }
    }
  }
  return flags;
}

// Fish reads -d '...' with \\ and \' as its only escapes.
std::string fish_quoted(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'') {
      quoted += '\\';
    }
    quoted += c;
  }
  return quoted + "'";
}

std::string words_of(const CLI::App* app, const CLI::App* root) {
  std::string words;
  for (const auto* child : visible_children(app)) {
    words += child->get_name() + " ";
  }
  for (const auto& flag : long_flags(app, app == root ? nullptr : root)) {
    words += flag + " ";
  }
  return words;
}

std::string bash(const CLI::App& root) {
  std::vector<Node> nodes;
  walk(&root, "", nodes);
  std::string known;
  std::string cases;
  for (const auto& node : nodes) {
    std::string key = "/" + node.path;
    std::ranges::replace(key, ' ', '/');
    if (!node.path.empty()) {
      known += (known.empty() ? "" : "|") + key;
    }
    std::string words = words_of(node.app, &root);
    if (!node.path.empty()) {  // the global flags work after any noun and verb
      for (const auto& flag : long_flags(&root)) {
        words += flag + " ";
      }
    }
    cases += fmt::format("    \"{}\") words=\"{}\";;\n", node.path.empty() ? "" : key, words);
  }
  return fmt::format(
      "# berth completion for bash: source <(berth completion bash)\n"
      "_berth() {{\n"
      "  local cur=\"${{COMP_WORDS[COMP_CWORD]}}\" path=\"\" i w words\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=\"${{COMP_WORDS[i]}}\"\n"
      "    [[ \"$w\" == -* ]] && continue\n"
      "    case \"$path/$w\" in\n"
      "      {}) path=\"$path/$w\";;\n"
      "    esac\n"
      "  done\n"
      "  case \"$path\" in\n{}  esac\n"
      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "}}\n"
      "complete -F _berth berth\n",
      known, cases);
}

std::string fish(const CLI::App& root) {
  std::string out = "# berth completion for fish: berth completion fish | source\n";
  std::vector<Node> nodes;
  walk(&root, "", nodes);
  for (const auto& node : nodes) {
    // Where this node's verbs and flags apply: no noun yet, or "berth NOUN [VERB]" typed.
    std::string condition = "__fish_use_subcommand";
    if (!node.path.empty()) {
      condition.clear();
      std::string_view rest = node.path;
      while (!rest.empty()) {
        const auto space = rest.find(' ');
        condition += (condition.empty() ? "" : "; and ") +
                     fmt::format("__fish_seen_subcommand_from {}", rest.substr(0, space));
        rest = space == std::string_view::npos ? "" : rest.substr(space + 1);
      }
    }
    std::string verbs;
    for (const auto* child : visible_children(node.app)) {
      verbs += " " + child->get_name();
    }
    // A noun's verbs only until one of them is typed.
    const std::string verb_condition =
        node.path.empty() || verbs.empty()
            ? condition
            : condition + "; and not __fish_seen_subcommand_from" + verbs;
    for (const auto* child : visible_children(node.app)) {
      out += fmt::format("complete -c berth -f -n {} -a {} -d {}\n", fish_quoted(verb_condition),
                         child->get_name(), fish_quoted(child->get_description()));
    }
    if (!node.path.empty()) {
      for (const auto& flag : long_flags(node.app, &root)) {
        out +=
            fmt::format("complete -c berth -n {} -l {}\n", fish_quoted(condition), flag.substr(2));
      }
    }
  }
  for (const auto& flag : long_flags(&root)) {
    out += fmt::format("complete -c berth -l {}\n", flag.substr(2));
  }
  return out;
}

std::string markdown(const CLI::App& root) {
  std::string out;
  std::vector<Node> nodes;
  walk(&root, "", nodes);
  for (const auto& node : nodes) {
    if (node.path.empty() || !visible_children(node.app).empty()) {
      continue;  // nouns only group verbs; each verb gets its own section
    }
    out += fmt::format("### berth {}\n\n{}\n\n", node.path, node.app->get_description());
    std::string usage = "berth " + node.path;
    std::vector<std::string> rows;
    for (const auto* option : node.app->get_options()) {
      if (option->get_name() == "--help" || option->get_name() == "-h,--help") {
        continue;
      }
      const std::string name = option->get_name(false, true);
      if (option->get_positional()) {
        const auto upper = [&] {
          std::string text = option->get_name();
          std::ranges::transform(text, text.begin(), ::toupper);
          return text;
        }();
        const bool many = option->get_expected_max() > 1;
        usage += option->get_required() ? " " + upper + (many ? "..." : "")
                                        : " [" + upper + (many ? "..." : "") + "]";
      }
      rows.push_back(fmt::format("| `{}` | {}{} |", name, option->get_description(),
                                 option->get_required() ? " (required)" : ""));
    }
    out += fmt::format("```\n{}\n```\n\n", usage);
    if (const auto footer = node.app->get_footer(); !footer.empty()) {
      out += fmt::format("```\n{}\n```\n\n", footer);
    }
    if (!rows.empty()) {
      out += "| argument | meaning |\n|---|---|\n";
      for (const auto& row : rows) {
        out += row + "\n";
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace

void add_meta_commands(CLI::App& app, const Runner& runner) {
  auto shell = std::make_shared<std::string>();
  auto* completion = app.add_subcommand("completion", "Print a shell completion script");
  completion->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  runner.offline(completion, [&app, shell] {
    if (*shell == "fish") {
      fmt::print("{}", fish(app));
    } else if (*shell == "zsh") {
      // zsh runs bash completion functions through bashcompinit.
      fmt::print("autoload -U +X bashcompinit && bashcompinit\n{}", bash(app));
    } else {
      fmt::print("{}", bash(app));
    }
    return int{kOk};
  });
  auto* help = app.add_subcommand("help-markdown", "Print the command reference of docs/cli.md");
  help->group("");  // hidden: for the docs and their test
  runner.offline(help, [&app] {
    fmt::print("{}", markdown(app));
    return int{kOk};
  });
}

}  // namespace berth::cli
