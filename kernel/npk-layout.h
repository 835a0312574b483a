/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Addresses and sizes shared by boot.S, the linker script and the C code. */
#ifndef NPK_LAYOUT_H
#define NPK_LAYOUT_H

#define NPK_LOAD_ADDR 0x100000     /* the ELF's physical load address */
#define NPK_TRAMPOLINE 0x8000      /* the APs' real-mode start (SIPI 0x08) */
#define NPK_MAP_GIB 64             /* identity-mapped, in 2 MiB pages */
#define NPK_STACK_BYTES 16384
#define NPK_MAX_CPUS 64

#define NPK_SEL_CODE64 0x08
#define NPK_SEL_DATA 0x10
#define NPK_SEL_CODE32 0x18

#endif
