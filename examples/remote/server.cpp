// SPDX-License-Identifier: MIT
// A greeter reachable over TCP: run it, then point examples/remote/client at the address it
// prints. Stops on Ctrl-C (or SIGTERM).
//
//   example_remote_server [--listen 127.0.0.1:4000] [--address-file PATH]
#include <hollywood/actor.hpp>
#include <hollywood/remote.hpp>

#include "greeter.pb.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

using namespace hollywood;

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string address_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--listen") listen = argv[i + 1];
    if (flag == "--address-file") address_file = argv[i + 1];
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before any thread starts: sigwait gets them

  // Both sides register the message types they exchange.
  auto net = remote::remote::create(remote::remote_config{}.with_listen(listen)).value();
  if (!net->types().add_protobuf<greeter::Hello>() ||
      !net->types().add_protobuf<greeter::Greeting>()) {
    return 1;  // only a clash of two types under one name can fail
  }
  auto engine = actor::engine::create(actor::engine_config{}.with_remote(net)).value();

  engine->spawn_fn(
      [served = std::uint64_t{0}](actor::context& ctx) mutable {
        if (auto* hello = ctx.get_if<greeter::Hello>()) {
          greeter::Greeting g;
          g.set_text("Hello, " + hello->name() + "!");
          g.set_served(++served);
          ctx.respond(g);  // back over the wire to whoever asked
        }
      },
      "greeter", actor::spawn_options{}.with_id("main"));

  std::printf("greeter listening on %s (pid: %s/greeter/main)\n", net->address().c_str(),
              net->address().c_str());
  std::fflush(stdout);
  if (!address_file.empty()) std::ofstream(address_file) << net->address() << "\n";
  int sig = 0;
  sigwait(&stop, &sig);
  std::printf("greeter stopping\n");
  return 0;
}
