// SPDX-License-Identifier: MIT
#pragma once

// Subcommands of the `hollywood` tool. Each registers its options on a CLI11 app and returns the
// function that runs it.

#include <functional>

namespace CLI {
class App;
}

namespace hollywood::tools {

using command = std::function<int()>;

command add_demo(CLI::App& app);
command add_bench(CLI::App& app);
command add_node(CLI::App& app);
command add_kafka_broker(CLI::App& app);
command add_eventbus(CLI::App& app);

}  // namespace hollywood::tools
