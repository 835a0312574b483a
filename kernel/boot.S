/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test kernel's first instructions: the PVH entry (QEMU -kernel loads
 * an ELF with a XEN_ELFNOTE_PHYS32_ENTRY note and enters it in 32-bit
 * protected mode, paging off, %ebx = the hvm_start_info), the identity map
 * of the first 64 GiB in 2 MiB pages, long mode, and the C entry point.
 * Also the real-mode trampoline the application processors start in
 * (copied below 1 MiB: a SIPI vector is a 4 KiB page number there) and the
 * exception stubs, which report and leave QEMU instead of triple-faulting.
 */
#include "npk-layout.h"

#define CR0_PE 0x00000001
#define CR0_NW 0x20000000
#define CR0_CD 0x40000000
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100

/* ---- the PVH note --------------------------------------------------- */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                 /* namesz: "Xen\0" */
	.long 8                 /* descsz: a 64-bit ELF's note holds 8 bytes */
	.long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad pvh_start
	.balign 4

/* ---- 32-bit entry --------------------------------------------------- */
	.section .boot32, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	mov %ebx, %esi          /* start_info: kept for kmain in %edi */
	lgdt gdt_ptr
	mov $NPK_SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov $(boot_stack + NPK_STACK_BYTES), %esp
	ljmp $NPK_SEL_CODE32, $1f
1:
	/* pdpt[i] -> pd + i * 4096, i < NPK_MAP_GIB */
	mov $npk_pdpt, %edi
	mov $npk_pd, %eax
	or $3, %eax
	mov $NPK_MAP_GIB, %ecx
2:	mov %eax, (%edi)
	movl $0, 4(%edi)
	add $4096, %eax
	add $8, %edi
	loop 2b
	/* pd entry k maps k * 2 MiB: present, writable, 2 MiB page */
	mov $npk_pd, %edi
	xor %eax, %eax          /* low 32 bits of the address */
	xor %edx, %edx          /* high bits */
	mov $(NPK_MAP_GIB * 512), %ecx
3:	mov %eax, %ebx
	or $0x83, %ebx
	mov %ebx, (%edi)
	mov %edx, 4(%edi)
	add $0x200000, %eax
	adc $0, %edx
	add $8, %edi
	loop 3b
	mov $npk_pdpt, %eax
	or $3, %eax
	mov %eax, npk_pml4
	movl $0, npk_pml4 + 4
	call enter_long_mode32
	ljmp $NPK_SEL_CODE64, $long_entry

/* PAE, the PML4, EFER.LME, paging, caches: shared with the APs'
 * trampoline. */
	.globl enter_long_mode32
enter_long_mode32:
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $npk_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	/* Caches on: a CPU comes out of reset (and an AP out of INIT) with
	 * CD and NW set, and nothing in the PVH protocol clears them; under
	 * KVM the whole run would go uncached. */
	mov %cr0, %eax
	and $~(CR0_CD | CR0_NW), %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	ret

	.code64
long_entry:
	mov $NPK_SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $(boot_stack + NPK_STACK_BYTES), %rsp
	mov %esi, %edi          /* kmain(start_info physical address) */
	call npk_main
4:	cli
	hlt
	jmp 4b

/* An AP arrives here from the trampoline, in long mode on the shared
 * page tables; npk_ap_stack was set by the BSP for this AP alone. */
	.globl npk_ap_long
npk_ap_long:
	mov $NPK_SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov npk_ap_stack(%rip), %rsp
	call npk_ap_main
5:	cli
	hlt
	jmp 5b

/* ---- exceptions ----------------------------------------------------- */
/* Vectors with an error code: 8, 10-14, 17, 21, 29, 30. */
.macro ISR n
isr\n:
	.if !(\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	push $0
	.endif
	push $\n
	jmp isr_common
.endm

	.text
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ISR \n
	.endr

isr_common:
	mov %rsp, %rdi          /* vector, error code, rip, cs, rflags, ... */
	and $-16, %rsp
	call npk_trap
6:	cli
	hlt
	jmp 6b

	.section .rodata
	.balign 8
	.globl npk_isr_table
npk_isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr\n
	.endr

/* ---- the AP trampoline (copied to NPK_TRAMPOLINE) -------------------- */
	.section .rodata
	.balign 16
	.globl npk_trampoline_start, npk_trampoline_end
	.code16
npk_trampoline_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl (tramp_gdt_ptr - npk_trampoline_start)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $NPK_SEL_CODE32, $(NPK_TRAMPOLINE + tramp32 - npk_trampoline_start)
	.code32
tramp32:
	mov $NPK_SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $(NPK_TRAMPOLINE + 4096), %esp   /* the page above: a call's return address */
	mov $enter_long_mode32, %eax
	call *%eax
	ljmp $NPK_SEL_CODE64, $npk_ap_long
	.balign 4
tramp_gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt
npk_trampoline_end:

/* ---- descriptors, page tables, the boot stack ----------------------- */
	.section .rodata
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* NPK_SEL_CODE64 */
	.quad 0x00cf92000000ffff        /* NPK_SEL_DATA */
	.quad 0x00cf9a000000ffff        /* NPK_SEL_CODE32 */
gdt_end:
	.balign 4
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
	.globl npk_pml4, npk_pdpt, npk_pd
npk_pml4:
	.skip 4096
npk_pdpt:
	.skip 4096
npk_pd:
	.skip 4096 * NPK_MAP_GIB
	.balign 16
boot_stack:
	.skip NPK_STACK_BYTES

	.section .note.GNU-stack, "", @progbits
