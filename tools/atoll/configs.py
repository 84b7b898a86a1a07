"""Boot-test configurations: how QEMU is set up and what is checked.

This table is the single source: tests/boot/boot.cmake reads it through
`python3 -m atoll.boottest manifest` to register the CTest tests.
"""
from dataclasses import dataclass
from typing import Optional

from .qemu import Machine
from .topo_qemu import LazyMachine

BAD_SRAT = "tests/boot/bad-srat.dat"   # relative to the build dir; made by boot.cmake
ROOT_MODULES = ("user/sigma0", "user/root")  # the L4Re-style boot; a *.cfg module says what they start

# What root_checks checks, wherever the root task starts it.
ROOT_CHECKS = tuple(f"root_checks/{c}" for c in (
    "environment_names_us", "environment_has_args", "environment_has_core", "only_the_capabilities_asked_for",
    "heap_paged_in_by_the_root_task", "second_thread_heap_paged_in", "memory_service_gives_frame",
    "frame_mapped_writable", "overlapping_map_refused", "writable_and_executable_refused",
    "page_beyond_frame_refused", "read_only_copy_cannot_map_writable", "read_only_copy_shares_memory",
    "copy_of_copy_maps", "derived_mappings_present", "revoke", "revoke_unmapped_derived_mappings",
    "revoke_removed_derived_capabilities", "own_mapping_survives_revoke", "unmap_removes_own_mapping",
    "frame_beyond_allowance_refused", "frame_deleted"))


@dataclass(frozen=True)
class PanicExpected:
    core: int        # the core that panics
    reason: str      # substring of the PANIC reason
    frame: str       # a function the symbolized backtrace must name


@dataclass(frozen=True)
class UserExpected:
    passes: tuple          # "program/check" names that must print USER PASS
    killed: tuple = ()     # tasks that must be killed by a fault (logged "task X thread ... killed:")
    status: int = 0        # the machine's shutdown status
    selfcheck: bool = True # the kernel's "selfcheck: ok" after the last task (frames, heap, quotas)
    exits: tuple = ()      # (program, status or "killed") the root task must report, and no others
    lines: tuple = ()      # substrings some log line (with its "[cN +t]" prefix) must contain
    patterns: tuple = ()   # regular expressions some such line must match


@dataclass(frozen=True)
class Config:
    name: str
    machine: Machine
    cmdline: str = "test=all"
    boot: str = "kernel"                 # kernel | iso-bios | iso-uefi
    timeout: int = 240                   # seconds for the whole boot
    ktests: bool = True                  # one CTest test per in-kernel test
    checks: tuple = ("online", "shutdown")
    acpi_tables: tuple = ()              # extra -acpitable files, relative to the build dir
    node_by_apic: Optional[tuple] = None     # ((apic, node), ...) expected
    package_by_apic: Optional[tuple] = None  # ((apic, package), ...) expected
    distances: Optional[tuple] = None        # ((i, j, value), ...) expected
    panic: Optional["PanicExpected"] = None  # for the `panic` check
    topology: Optional[str] = None           # library topology booted (the `topology` check)
    modules: tuple = ()                  # boot modules (build-dir relative), e.g. user programs
    user: Optional["UserExpected"] = None    # for the `user` check

    @property
    def processors(self):
        """Host cores the boot keeps busy (CTest PROCESSORS)."""
        return min(self.machine.cores, 2)


def _numa_args():
    args = []
    for node, cpus in ((0, "0-1"), (1, "2-3")):
        args += ["-object", f"memory-backend-ram,id=m{node},size=256M",
                 "-numa", f"node,nodeid={node},cpus={cpus},memdev=m{node}"]
    return tuple(args + ["-numa", "dist,src=0,dst=1,val=21"])


def _topology(name, timeout):
    """Boot a library topology (topologies/NAME.ini) plainly; `topology`
    compares what the kernel logged with hwloc's reading of the same file."""
    return Config(f"topo-{name}", LazyMachine(name), cmdline="", timeout=timeout, ktests=False,
                  checks=("online", "shutdown", "topology"), topology=name)


# Library topologies the suite boots (under TCG on 2 host cores: 16 CPUs
# ~5 s, 64 ~5-7 s, 112 ~8-20 s, 128 ~12-16 s; about 40 s together with
# ctest -j2), and why the others are not booted.
# tests/host/tools/test_topo_configs.py keeps the two complete.
TOPOLOGY_BOOTS = (("desktop-1s-8c", 120), ("xeon-4s-8c", 180), ("xeon-2s-28c", 240),
                  ("xeon-2s-28c-snc2", 240), ("epyc-2s-32c-naples", 240))
_NO_X2APIC = ("256 CPUs: APIC ids reach 255, which needs x2APIC; QEMU 7.2 has none under TCG")
TOPOLOGY_NOT_BOOTED = {
    "epyc-2s-64c-nps1": _NO_X2APIC,
    "epyc-2s-64c-nps4": _NO_X2APIC,
    "xeon-4s-28c": ("224 CPUs: boots (about 45 s alone under TCG), over the suite's budget of "
                    "128 CPUs per boot; run it with ./atoll run --topology xeon-4s-28c"),
    "host": "the machine running the tests: not a fixed shape",
}


def _smp(cores, timeout=240):
    return Config(f"tcg-smp{cores}", Machine(cores=cores), timeout=timeout)


CONFIGS = (
    _smp(1), _smp(2), _smp(4), _smp(8), _smp(64, timeout=600),
    Config("tcg-numa",
           Machine(cores=4, memory="512M", smp="4,sockets=2,cores=2,threads=1",
                   extra=_numa_args()),
           checks=("online", "shutdown", "numa"),
           # sockets=2,cores=2,threads=1: APIC IDs are 0..3 in CPU index order.
           node_by_apic=((0, 0), (1, 0), (2, 1), (3, 1)),
           package_by_apic=((0, 0), (1, 0), (2, 1), (3, 1)),
           distances=((0, 0, 10), (0, 1, 21), (1, 0, 21), (1, 1, 10))),
    Config("tcg-badsrat", Machine(cores=2), cmdline="", ktests=False,
           checks=("online", "shutdown", "srat"), acpi_tables=(BAD_SRAT,)),
    # kernel/test/boot_ktests.cpp: KTEST(deliberate_panic, kManual) panics on the last core.
    Config("tcg-panic", Machine(cores=2), cmdline="test=deliberate_panic", ktests=False,
           checks=("panic",),
           panic=PanicExpected(core=1, reason="deliberate panic", frame="deliberate_panic_inner")),
    Config("kvm-smp2", Machine(accel="kvm", cores=2)),
    # User mode on one core: two FPU-heavy tasks preempting each other, one
    # task killed by a page fault, one checking the syscall ABI's error paths.
    Config("tcg-user", Machine(cores=1), cmdline="init=fpu,crasher,fpu,hello,runtime_lib", ktests=False,
           checks=("online", "user"), modules=("user/fpu", "user/crasher", "user/hello", "user/runtime_lib"),
           user=UserExpected(passes=("hello/kernel_pointer_rejected", "hello/unmapped_pointer_rejected",
                                     "hello/range_crossing_user_limit_rejected", "hello/overlong_write_rejected",
                                     "hello/unknown_syscall_rejected", "hello/yield", "hello/sleep",
                                     "fpu/state_survives_switches") +
                             tuple(f"runtime_lib/{c}" for c in (
                                 "global_constructors_ran", "malloc_many_sizes_aligned", "blocks_do_not_overlap",
                                 "freed_memory_is_reused", "new_runs_constructors", "delete_runs_destructors",
                                 "slots_above_the_fixed_ones", "allocated_slot_usable", "freed_slot_reused",
                                 "all_slots_handed_out_once")),
                             killed=("crasher",), status=1)),
    # Capabilities and synchronous IPC on one core: threads of one task,
    # and a client/server pair in two tasks identified by a badge.
    Config("tcg-ipc", Machine(cores=1), cmdline="init=ipc_threads,ping_server,ping_client,notify,deferred_reply",
           ktests=False, checks=("online", "user"),
           modules=("user/ipc_threads", "user/ping_server", "user/ping_client", "user/notify",
                    "user/deferred_reply"),
           user=UserExpected(passes=tuple(f"ipc_threads/{c}" for c in (
               "endpoint_create", "occupied_slot_refused", "thread_create", "call_reply_2000_rounds",
               "empty_slot_rejected", "slot_out_of_range_rejected", "wrong_type_rejected",
               "copy_with_fewer_rights", "reduced_rights_enforced", "copy_of_copy", "rights_never_grow",
               "delete", "poll_without_sender", "no_priority_escalation", "low_priority_thread",
               "strict_priority", "spinner", "higher_priority_preempts_a_spinning_thread", "server_stops")) + (
               "ping_client/badged_copy", "ping_client/1000_cross_task_calls", "ping_client/quit_answered",
               "ping_server/served_until_quit", "ping_server/every_call_carried_the_client_badge") +
               tuple(f"notify/{c}" for c in (
                   "create", "poll_empty", "signal", "signals_accumulate", "poll_takes_all", "waiter_thread",
                   "wait_blocks_while_empty", "signal_wakes", "waiter_got_the_bits", "receive_only_copy",
                   "signal_needs_send_right", "notification_badge_reserved", "server_objects", "server_thread",
                   "signal_bound", "bound_signal_ends_receive", "same_receive_takes_messages")) +
               tuple(f"deferred_reply/{c}" for c in (
                   "endpoint", "threads", "saved_reply_answers_later", "later_caller_answered_first",
                   "reply_right_is_one_shot", "nothing_to_save_refused", "dropped_reply_tells_caller_dead")))),
    # Long messages through UTCBs, capabilities passed in messages with
    # fewer rights, the grant right, and revoke, within a task and across two.
    Config("tcg-caps", Machine(cores=1), cmdline="init=long_ipc,grant_server,grant_client,pager,frames",
           ktests=False, checks=("online", "user"),
           modules=("user/long_ipc", "user/grant_server", "user/grant_client", "user/pager", "user/frames"),
           user=UserExpected(passes=tuple(f"long_ipc/{c}" for c in (
               "endpoint", "server_thread", "sixty_four_word_call", "sixty_four_word_reply", "capability_received",
               "received_capability_works", "received_capability_has_reduced_rights", "copy_without_grant",
               "grant_right_enforced", "derived_tree", "delete_middle_keeps_children",
               "child_survives_parent_delete", "revoke", "revoked_children_gone", "revoked_root_stays",
               "server_stops")) + (
               "grant_server/notification", "grant_server/client_signal_arrived",
               "grant_server/revoke_what_was_handed_out", "grant_server/own_capability_still_works",
               "grant_client/capability_arrived_from_another_task", "grant_client/signal_through_it",
               "grant_client/server_revoked", "grant_client/revoked_capability_is_gone") +
               tuple(f"pager/{c}" for c in (
                   "endpoint", "set_fault_handler", "handler_thread", "demand_paged_memory_holds_data",
                   "one_fault_per_page", "exception_resumed_by_handler", "victim_thread",
                   "handler_killed_the_faulting_thread", "no_writable_and_executable_memory", "no_double_mapping",
                   "handler_told_to_stop")) +
               tuple(f"frames/{c}" for c in (
                   "frame_rounded_to_power_of_two_pages", "map", "frame_starts_zeroed", "frame_over_4_MiB_refused",
                   "map_past_user_space_refused", "map_empty_slot_refused", "map_non_frame_refused",
                   "copy_maps_same_memory", "delete_unmaps_only_its_mappings", "frames_exhaust_quota_with_a_status",
                   "deleting_frames_returns_quota", "task_without_quota_refused", "task_name_with_space_refused",
                   "task_create", "task_info_fresh", "task_watch", "cap_give_into_task", "map_into_other_task",
                   "no_exit_yet", "dropping_unstarted_task_ends_it", "unmap", "move_to_occupied_slot_refused",
                   "move_keeps_mappings", "moved_capability_unmaps_its_mappings",
                   "moved_copy_stays_in_the_derivation_tree", "move_back", "cleanup")),
                             killed=("pager",))),
    # Cross-core IPC: a server on core 0, a client on each other core calling
    # it through a remote capability (short and 64-word messages, badges);
    # every core's self-check must pass.
    Config("tcg-xcore", Machine(cores=4), cmdline="init=xcore_server,xcore_client@1,xcore_client@2,xcore_client@3",
           ktests=False, checks=("online", "user"), modules=("user/xcore_server", "user/xcore_client"),
           user=UserExpected(passes=("xcore_server/served_every_client_until_quit",
                                     "xcore_server/calls_carried_the_clients_badges") +
                             tuple(f"xcore_client/{c}" for c in (
                                 "badged_copy_of_remote_capability", "500_cross_core_calls_with_badge",
                                 "64_word_calls_and_replies_cross_core",
                                 "notification_passed_across_cores_and_signalled_back",
                                 "passed_capability_has_reduced_rights", "capability_returns_home_as_the_local_object",
                                 "third_core_capability_passed_and_used", "third_core_capability_in_a_reply",
                                 "passing_an_empty_slot_refused",
                                 "receive_on_remote_endpoint_refused", "quit_answered")),
                             patterns=tuple(rf"^\[c{core} \S+\] xcore_client: USER PASS xcore_client/quit_answered"
                                            for core in (1, 2, 3)) +
                             tuple(rf"^\[c{core} \S+\] selfcheck: ok" for core in (0, 1, 2, 3)))),
    # Ping-pong on every ordered pair of cores, 4 and 8 of them: one copy of
    # xcore_pairs per core, calling every other core's endpoint.
    *(Config(f"tcg-xcore-pairs{n}", Machine(cores=n, memory="1G"),
             cmdline="init=" + ",".join(["xcore_pairs"] + [f"xcore_pairs@{c}" for c in range(1, n)]),
             ktests=False, checks=("online", "user"), modules=("user/xcore_pairs",), timeout=300,
             user=UserExpected(passes=tuple(f"xcore_pairs/calls_c{i}_to_c{j}" for i in range(n) for j in range(n)
                                            if i != j) + ("xcore_pairs/answered_every_other_core",),
                               patterns=tuple(rf"^\[c{c} \S+\] selfcheck: ok" for c in range(n))))
      for n in (4, 8)),
    # Revoke of an object copied to every core while they use it (4 and 8
    # cores): the revoke waits for every core, and no use gets through after.
    *(Config(f"tcg-xcore-revoke{n}", Machine(cores=n, memory="1G"),
             cmdline="init=" + ",".join(["xcore_revoke"] + [f"xcore_revoke@{c}" for c in range(1, n)]),
             ktests=False, checks=("online", "user"), modules=("user/xcore_revoke",), timeout=300,
             user=UserExpected(passes=tuple(f"xcore_revoke/{c}" for c in (
                 "server_thread", "revoke_returns_after_every_core_confirmed", "no_call_served_after_revoke",
                 "object_stays_for_its_owner", "calls_end_with_dead_after_revoke", "void_stays_void")),
                 patterns=tuple(rf"^\[c{c} \S+\] xcore_revoke: USER PASS xcore_revoke/void_stays_void"
                                for c in range(1, n)) +
                 tuple(rf"^\[c{c} \S+\] selfcheck: ok" for c in range(n))))
      for n in (4, 8)),
    # Revoke of a page mapped on K = 1 .. n-1 other cores (4 and 8 cores):
    # each revoke returns after every holder unmapped it and flushed its TLB,
    # and every holder's copy is void afterwards. Also a benchmark.
    *(Config(f"tcg-xcore-unmap{n}", Machine(cores=n, memory="1G"),
             cmdline="init=" + ",".join(["xcore_unmap"] + [f"xcore_unmap@{c}" for c in range(1, n)]),
             ktests=False, checks=("online", "user"), modules=("user/xcore_unmap",), timeout=300,
             user=UserExpected(passes=("xcore_unmap/every_core_mapped_the_page",
                                       "xcore_unmap/every_revoke_returned_ok",
                                       "xcore_unmap/a_concurrent_revoke_returns_with_the_first"),
                               lines=tuple(f"BENCH atoll/frame_revoke_unmap/cross_core/holders_{k} "
                                           for k in range(1, n)),
                               patterns=tuple(rf"^\[c{c} \S+\] xcore_unmap: USER PASS xcore_unmap/"
                                              r"every_revoke_voided_this_cores_copy" for c in range(1, n)) +
                               tuple(rf"^\[c{c} \S+\] selfcheck: ok" for c in range(n))))
      for n in (4, 8)),
    # One address space on n cores (4 and 8): the origin on core 0 spans
    # itself onto every other core; its unmap returns only after every core
    # using the address space flushed the page (nobody reads it afterwards,
    # every reader faults once), and the new mapping reaches every span.
    # Also the shared-address-space unmap benchmark.
    *(Config(f"tcg-xcore-span{n}", Machine(cores=n, memory="1G"),
             cmdline="init=" + ",".join(["xcore_span"] + [f"xcore_span@{c}" for c in range(1, n)]),
             ktests=False, checks=("online", "user"), modules=("user/xcore_span",), timeout=300,
             user=UserExpected(passes=tuple(f"xcore_span/{c}" for c in (
                 "every_core_gave_its_task", "frame_mapped_twice_and_fault_endpoint", "no_span_on_the_origins_core",
                 "local_unmap_and_map", "spanned_onto_every_core", "span_threads_run_on_their_cores",
                 "every_unmap_returned_ok", "no_core_read_the_page_after_the_unmap_returned",
                 "every_reader_faulted_once_per_unmap", "the_new_mapping_reached_every_span", "one_span_per_core",
                 "a_span_is_mapped_through_its_origin", "every_span_ended_with_its_thread")),
                               lines=tuple(f"BENCH atoll/unmap/shared_as/cores_{k} " for k in range(1, n + 1)),
                               patterns=tuple(rf"^\[c{c} \S+\] xcore_span: USER PASS xcore_span/gave_core0_this_task"
                                              for c in range(1, n)) +
                               tuple(rf"^\[c{c} \S+\] selfcheck: ok" for c in range(n))))
      for n in (4, 8)),
    # URPC between every ordered pair of 4 cores, one pair at a time: a frame
    # per pair of cores shared through capabilities, checked round trips and
    # one BENCH line per ordered pair (the URPC half of the pair matrix).
    Config("tcg-xcore-urpc-all4", Machine(cores=4, memory="1G"),
           cmdline="init=" + ",".join(["xcore_urpc_all"] + [f"xcore_urpc_all@{c}" for c in range(1, 4)]),
           ktests=False, checks=("online", "user"), modules=("user/xcore_urpc_all",), timeout=300,
           user=UserExpected(passes=("xcore_urpc_all/director_thread",
                                     "xcore_urpc_all/a_frame_shared_by_every_pair_of_cores",
                                     "xcore_urpc_all/every_ordered_pair_measured"),
                             lines=tuple(f"BENCH atoll/urpc_roundtrip/cross_core/c{i}_c{j}/polling "
                                         for i in range(4) for j in range(4) if i != j),
                             patterns=tuple(rf"^\[c{c} \S+\] xcore_urpc_all: USER PASS xcore_urpc_all/took_every_order"
                                            for c in range(4)) +
                             tuple(rf"^\[c{c} \S+\] selfcheck: ok" for c in range(4)))),
    # Stress on every core at once (4 and 8): IPC, notifications and frames
    # passed across, mapped, revoked and unmapped for 60 rounds per pair;
    # then every core's self-check and the shutdown's message-count check.
    *(Config(f"tcg-xcore-stress{n}", Machine(cores=n, memory="1G"),
             cmdline="init=" + ",".join(["xcore_stress"] + [f"xcore_stress@{c}" for c in range(1, n)]),
             ktests=False, checks=("online", "user"), modules=("user/xcore_stress",), timeout=300,
             user=UserExpected(passes=tuple(f"xcore_stress/c{c}_ipc_transfer_revoke_unmap_{60 * (n - 1)}_rounds"
                                            for c in range(n)) + ("xcore_stress/answered_everyone_without_errors",),
                               lines=(f"shutdown: every pair of the {n - 1} other cores agrees on what it sent and "
                                      "received",),
                               patterns=tuple(rf"^\[c{c} \S+\] selfcheck: ok" for c in range(n))))
      for n in (4, 8)),
    # URPC: a frame shared across two cores (passed in a call, mapped on
    # both), request/response through rings in it, and its revoke
    # unmapping the other core's mapping before it returns.
    Config("tcg-xcore-urpc", Machine(cores=2), cmdline="init=xcore_urpc,xcore_urpc@1", ktests=False,
           checks=("online", "user"), modules=("user/xcore_urpc",),
           user=UserExpected(passes=tuple(f"xcore_urpc/{c}" for c in (
               "frame_and_notification", "frame_and_notification_passed_to_core1", "core1_notification_arrived",
               "1000_round_trips_through_shared_memory", "quit_acknowledged", "revoke_of_the_shared_frame_returns",
               "core1_mapping_gone_after_revoke", "own_mapping_stays", "frame_and_notification_from_core0",
               "remote_frame_mapped", "remote_frame_keeps_its_rights", "notification_passed_to_core0",
               "revoke_unmapped_the_shared_frame_here", "revoked_frame_cannot_be_mapped_again",
               "notification_pingpong_and_cap_transfer_across_cores")),
               lines=("BENCH atoll/notification_pingpong/cross_core/c0_c1 ", "BENCH atoll/cap_transfer/cross_core/c0_c1 "),
               patterns=(r"^\[c1 \S+\] xcore_urpc: USER PASS xcore_urpc/revoke_unmapped_the_shared_frame_here",
                         r"^\[c0 \S+\] selfcheck: ok", r"^\[c1 \S+\] selfcheck: ok"))),
    # A user-level driver on the boot core: the RTC's ports through an
    # IoPort, its periodic interrupt through an Irq and a notification; a
    # second task with a port of its own runs in between.
    Config("tcg-irq", Machine(cores=1), cmdline="init=irq,irq_peer", ktests=False, checks=("online", "user"),
           modules=("user/irq", "user/irq_peer"),
           user=UserExpected(passes=tuple(f"irq/{c}" for c in (
               "ioport_needs_create_right", "ioport_overlapping_com1_refused", "ioport_overlapping_pit_refused",
               "ioport_overlapping_pic_refused", "ioport_overlapping_exit_port_refused", "ioport_bad_range_refused",
               "ioport_create", "ioport_enable_needs_read_and_write", "port_not_yet_enabled_kills_the_thread",
               "ioport_enable", "rtc_ports_usable", "notification", "irq_create", "eight_interrupts_arrive",
               "register_c_says_periodic", "interrupt_while_running_in_user_mode",
               "one_more_interrupt", "masked_until_acknowledged", "acknowledge_unmasks",
               "second_irq_on_line_refused", "bogus_line_refused", "cascade_irq2_refused", "zero_bits_refused",
               "irq_needs_a_notification", "ack_needs_an_irq", "peer_task_ran_with_its_own_port",
               "ports_back_after_the_peer_ran", "port_not_granted_kills_only_that_thread", "irq_delete",
               "no_signals_after_delete", "line_free_again_after_delete", "delete_takes_the_ports_away",
               "cleanup")) + tuple(f"irq_peer/{c}" for c in (
                   "driver_is_ready", "other_tasks_ports_fault_here", "own_port", "own_port_usable",
                   "still_not_the_drivers_ports")),
                             killed=("irq", "irq_peer"),
                             lines=("ioapic: id 0 at 0xfec00000: GSI 0-23", "killed: #GP general protection",
                                    "task irq exited with status 0", "task irq_peer exited with status 0"))),
    # The L4Re-style boot: sigma0, the root task, and what boot.cfg names.
    # The default configuration (./atoll run): console and the echo pair.
    Config("tcg-root", Machine(cores=2), cmdline="", ktests=False, checks=("online", "user"),
           modules=ROOT_MODULES + ("user/console", "user/echo_server", "user/echo_client", "user/boot.cfg"),
           user=UserExpected(passes=(), exits=(("echo_client", 0), ("echo_server", 0), ("console", 0)),
                             # The planner puts the client on core 1: the root task
                             # starts it there through core 1's core task.
                             lines=("[echo_server@0] serving echo on core 0",
                                    "[echo_client@1] hello from echo_client on core 1",
                                    "[echo_client@1] echo #3: GOODBYE",
                                    "root: all programs ended, every one successfully",
                                    "sigma0: done:", "console: stopping after 6 lines"),
                             # Core 1 got all of the client's memory back.
                             patterns=(r"^\[c1 \+[\d.]+\] selfcheck: ok",))),
    # Programs the root task pages, serves and kills (tests/root/checks.cfg).
    Config("tcg-root-checks", Machine(cores=1), cmdline="", ktests=False, checks=("online", "user"),
           modules=ROOT_MODULES + ("user/console", "user/root_checks", "user/hog", "user/echo_client",
                                   "user/echo_server", "user/rtc", "user/tests/checks.cfg"),
           user=UserExpected(passes=ROOT_CHECKS,
                             killed=("hog_heap", "hog_text", "hog_wild"), status=1,
                             exits=(("console", 0), ("root_checks", 0), ("hog_heap", "killed"),
                                    ("hog_text", "killed"), ("hog_wild", "killed"), ("orphan", 1), ("rtc", 0),
                                    ("hog_assert", 134)),
                             lines=("root: hog_heap: page fault at ip", "its 256 KiB of memory are used up: killed",
                                    "root: hog_text: write at ip", "root: hog_wild: page fault at ip",
                                    "outside its memory: killed",
                                    "[orphan@0] echo failed: "),
                             patterns=(r"root: checks\.cfg:\d+: broken_server: ioport:0x3f8-0x3ff refused",
                                       r"\[rtc@0\] rtc: time \d\d:\d\d:\d\d",
                                       r"\[rtc@0\] rtc: 8 periodic interrupts at 64 Hz through IRQ 8",
                                       r"\[hog_assert@0\] panic: assertion failed: two \+ two == 5 \(hog\.cpp:\d+\)"))),
    # The same kind of programs placed on cores 1-3 (tests/root/checks_xcore.cfg):
    # created there through the kernels' core tasks, paged in, served and
    # killed from core 0, a frame handed back in a cross-core reply, the
    # console (core 3) given to programs on cores 1 and 2; every core's
    # self-check must pass. The misplaced driver makes the root task fail.
    Config("tcg-root-xcore", Machine(cores=4), cmdline="", ktests=False, checks=("online", "user"),
           modules=ROOT_MODULES + ("user/console", "user/root_checks", "user/hog", "user/echo_client",
                                   "user/echo_server", "user/rtc", "user/tests/checks_xcore.cfg"),
           user=UserExpected(passes=ROOT_CHECKS, killed=("hog_heap", "hog_text"), status=1,
                             exits=(("console", 0), ("root_checks", 0), ("hog_heap", "killed"),
                                    ("hog_text", "killed"), ("hog_assert", 134), ("echo_server", 0),
                                    ("echo_client", 0)),
                             lines=("[root_checks@1] USER PASS root_checks/environment_has_core",
                                    "[echo_server@2] serving echo on core 2",
                                    "[echo_client@1] hello from echo_client on core 1",
                                    "[echo_client@1] echo #3: GOODBYE",
                                    "its 256 KiB of memory are used up: killed", "root: hog_text: write at ip"),
                             patterns=(r"checks_xcore\.cfg:\d+: rtc: irq: and ioport: need the program on core 0",
                                       r"^\[c1 \+[\d.]+\] task hog_text thread main \(\d+\) killed",
                                       r"^\[c2 \+[\d.]+\] task hog_heap thread main \(\d+\) killed",
                                       *(rf"^\[c{c} \+[\d.]+\] selfcheck: ok" for c in range(4))))),
    # The root task plans placement on the topology the kernel found (two
    # NUMA nodes); the host planner must make the same plan from the
    # kernel's topology lines and the same file (tests/root/place.cfg).
    Config("tcg-root-place",
           Machine(cores=4, memory="512M", smp="4,sockets=2,cores=2,threads=1", extra=_numa_args()),
           cmdline="", ktests=False, checks=("online", "user", "placement"),
           modules=ROOT_MODULES + ("user/console", "user/echo_server", "user/echo_client",
                                   "user/tests/place.cfg"),
           user=UserExpected(passes=(), exits=(("console", 0), ("echo_server", 0), ("echo_client", 0),
                                               ("echo_client_near", 0)),
                             lines=("root: placement: cost talk",))),
    # A boot.cfg with errors: each named with file:line, nothing started.
    Config("tcg-root-badcfg", Machine(cores=1), cmdline="", ktests=False, checks=("online", "user"),
           modules=ROOT_MODULES + ("user/console", "user/tests/bad.cfg"),
           user=UserExpected(passes=(), status=1,
                             lines=("root: bad.cfg:6: priority", "root: bad.cfg:9: core = 7",
                                    "root: bad.cfg: rejected (", "starting nothing"))),
    # A million random and malformed system calls, after exhausting the
    # task's quota on purpose; the kernel's self-check must then pass.
    Config("tcg-fuzz", Machine(cores=1), cmdline="init=syscall_fuzz", ktests=False, timeout=300,
           checks=("online", "user"), modules=("user/syscall_fuzz",),
           user=UserExpected(passes=("syscall_fuzz/quota_exhaustion_is_a_status",
                                     "syscall_fuzz/quota_returns_after_exit",
                                     "syscall_fuzz/every_answer_is_a_known_status",
                                     "syscall_fuzz/reached_success_and_error_paths"))),
    # In-OS benchmarks under -icount (one tick per instruction): the fast
    # paths' instruction counts must stay within bench/budgets.txt.
    Config("icount-bench", Machine(cores=1, extra=("-icount", "shift=0,sleep=off")),
           cmdline="init=ipc_bench,bench_server", ktests=False, checks=("online", "bench"),
           modules=("user/ipc_bench", "user/bench_server")),
    Config("iso-bios", Machine(cores=2), boot="iso-bios", ktests=False),
    Config("iso-uefi", Machine(cores=2), boot="iso-uefi", ktests=False),
    *(_topology(name, timeout) for name, timeout in TOPOLOGY_BOOTS),
    # The default system on a 64-core, 4-socket machine: the plan puts the
    # console on another socket; every program runs and gets memory where
    # the plan says, and all 64 cores' self-checks pass (the boot core's
    # partition is a 64th of the memory: the kernel must fit in it).
    Config("topo-xeon-4s-8c-root", LazyMachine("xeon-4s-8c"), cmdline="", timeout=240, ktests=False,
           checks=("online", "user", "placement"),
           modules=ROOT_MODULES + ("user/console", "user/echo_server", "user/echo_client", "user/boot.cfg"),
           user=UserExpected(passes=(), exits=(("echo_client", 0), ("echo_server", 0), ("console", 0)),
                             lines=("root: all programs ended, every one successfully",),
                             patterns=tuple(rf"^\[c{c} \+[\d.]+\] selfcheck: ok" for c in range(64)))),
)


def get(name):
    for config in CONFIGS:
        if config.name == name:
            return config
    raise KeyError(f"unknown boot configuration {name!r}; known: "
                   + ", ".join(c.name for c in CONFIGS))


def manifest_line(config):
    """`name timeout processors ktests check...` for boot.cmake."""
    return " ".join([config.name, str(config.timeout), str(config.processors),
                     "1" if config.ktests else "0", *config.checks])
