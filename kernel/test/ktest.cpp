// The in-kernel test runner.
#include "kernel/test/ktest.hpp"

#include <stdarg.h>

#include "kernel/lib/format.hpp"
#include "kernel/log.hpp"
#include "percpu/cmdline.hpp"
#include "percpu/kcb.hpp"

extern "C" const atoll_os::KtestCase __ktests_start[];
extern "C" const atoll_os::KtestCase __ktests_end[];

namespace atoll_os {

void KtestContext::fail(const char* fmt, ...)
{
    failed_ = true;
    va_list args;
    va_start(args, fmt);
    vformat(reason_, sizeof reason_, fmt, args);
    va_end(args);
}

KtestTally run_ktests(const char* filter, bool on_boot_core)
{
    KtestTally tally{0, 0};
    const unsigned core = this_core().core;
    for (const KtestCase* t = __ktests_start; t < __ktests_end; ++t) {
        bool named = list_contains(filter, t->name);
        if (!named && (t->scope == KtestScope::kManual || !list_contains(filter, "all"))) continue;
        if (t->scope == KtestScope::kBootCore && !on_boot_core) continue;
        KtestContext ctx;
        t->run(ctx);
        if (ctx.failed()) {
            ++tally.failed;
            klog("KTEST FAIL %s core=%u %s", t->name, core, ctx.reason());
        } else {
            ++tally.passed;
            klog("KTEST PASS %s core=%u", t->name, core);
        }
    }
    if (on_boot_core) {
        for_each_list_item(filter, [&](const char* item, size_t len) {
            if (len == 3 && __builtin_memcmp(item, "all", 3) == 0) return;
            for (const KtestCase* t = __ktests_start; t < __ktests_end; ++t)
                if (__builtin_strlen(t->name) == len && __builtin_memcmp(t->name, item, len) == 0) return;
            ++tally.failed;
            klog("KTEST FAIL %.*s core=%u no such test", int(len), item, core);
        });
    }
    return tally;
}

} // namespace atoll_os
