// In-kernel tests, declared beside the code they test:
//
//   KTEST(frames_stay_in_partition, KtestScope::kEveryCore) {
//       KEXPECT(...);
//   }
//
// They run at boot when the command line says test=all or test=a,b, on the
// boot core or on every core, each printing one "KTEST PASS|FAIL name core=N"
// line. The host scans sources for KTEST( to know which results to expect.
#pragma once

#include <stdint.h>

namespace atoll_os {

enum class KtestScope : uint8_t {
    kBootCore,   // runs on core 0
    kEveryCore,  // runs on each online core, in turn
    kManual,     // every core, only when named explicitly (not by test=all)
};

class KtestContext {
public:
    [[gnu::format(printf, 2, 3)]] void fail(const char* fmt, ...);
    bool failed() const { return failed_; }
    const char* reason() const { return reason_; }

private:
    bool failed_ = false;
    char reason_[120] = {};
};

struct KtestCase {
    const char* name;
    KtestScope scope;
    void (*run)(KtestContext&);
};

struct KtestTally {
    uint32_t passed, failed;
};

// Runs the tests the filter selects ("all" or comma-separated names) that
// belong on this core. Names in the filter that match no test fail loudly
// (boot core only), so a typo never passes as "nothing ran".
KtestTally run_ktests(const char* filter, bool on_boot_core);

} // namespace atoll_os

#define KTEST(name, scope)                                                                      \
    static void ktest_body_##name(::atoll_os::KtestContext&);                                      \
    [[gnu::used, gnu::section(".ktests." #name)]] static const ::atoll_os::KtestCase ktest_case_##name{ \
        #name, scope, ktest_body_##name};                                                       \
    static void ktest_body_##name([[maybe_unused]] ::atoll_os::KtestContext& ktest_ctx)

#define KEXPECT(cond)                                                                   \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            ktest_ctx.fail("%s:%d: expected %s", __FILE__, __LINE__, #cond);            \
            return;                                                                     \
        }                                                                               \
    } while (0)

#define KEXPECT_EQ(a, b)                                                                           \
    do {                                                                                           \
        auto ktest_a_ = (a);                                                                       \
        auto ktest_b_ = (b);                                                                       \
        if (!(ktest_a_ == ktest_b_)) {                                                             \
            ktest_ctx.fail("%s:%d: %s == %s: %#llx vs %#llx", __FILE__, __LINE__, #a, #b,          \
                           (unsigned long long)ktest_a_, (unsigned long long)ktest_b_);            \
            return;                                                                                \
        }                                                                                          \
    } while (0)
