// irq.cpp's neighbour: while the RTC driver holds ports 0x70-0x71, this task
// gets port 0x80 (POST codes, harmless) and finds it usable and the RTC's
// not: I/O permissions belong to a task, not to the core.
#include "runtime/lib/user/devices.hpp"
#include "runtime/lib/user/ipc.hpp"
#include "tests/user/check.hpp"
#include "tests/user/irq_peer.hpp"
#include "tests/user/port_probe.hpp"

using namespace atoll_os;
using namespace atoll_os::user;

int main()
{
    constexpr uint64_t kPort = 20, kPriority = 100;
    Message m{};
    uint64_t badge = 0;
    check(ok(receive(sys::kSlotBootEndpoint, m, badge)) && m.w[0] == kPeerGo, "irq_peer", "driver_is_ready");
    check(port_kills_prober(0x71, kPriority), "irq_peer", "other_tasks_ports_fault_here");
    check(ok(io_port_create(sys::kSlotSelf, kPort, 0x80, 0x80)) && ok(io_port_enable(kPort)), "irq_peer",
          "own_port");
    port_out8(0x80, 0x42);
    (void)port_in8(0x80);
    check(true, "irq_peer", "own_port_usable"); // alive after using it
    check(port_kills_prober(0x70, kPriority), "irq_peer", "still_not_the_drivers_ports");
    // Keep the port while the driver runs again, so its switch back must
    // clear this bitmap's bits from the TSS.
    (void)reply(Message{{kPeerDone, 0, 0, 0}});
    return g_check_failures;
}
