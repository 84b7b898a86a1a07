// A static program with rodata, data, a pointer table and a large .bss: every kind of PT_LOAD.
static const char greeting[] = "atoll: loaded by plan";
const char* volatile table[2] = {greeting, greeting + 7};
volatile int counter = 3;
char scratch[1 << 20];  // zero-filled: p_memsz far beyond p_filesz

void _start(void)
{
    for (int i = 0;; ++i) {
        scratch[(counter + i) & ((1 << 20) - 1)] = table[i & 1][0];
        __asm__ volatile("pause");
    }
}
