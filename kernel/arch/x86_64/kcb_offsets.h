/* Kcb field offsets for assembly; percpu/kcb.hpp static_asserts them. */
#define KCB_KERNEL_STACK 16
#define KCB_USER_RSP 24
#define KCB_CTX_END 32
#define USER_CS (0x28 | 3)
#define USER_SS (0x20 | 3)
