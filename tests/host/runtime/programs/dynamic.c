// A non-PIE executable linked against a shared library: ET_EXEC, yet it needs a dynamic linker.
int stub_value(void);

void _start(void)
{
    volatile int v = stub_value();
    for (;;) {
        __asm__ volatile("pause" ::"r"(v));
    }
}
