//go:build amd64 && !purego

#include "textflag.h"

// Sixteen-byte constants for fieldLine (SSE2 only: GOAMD64=v1 is enough).
DATA scanconst<>+0x00(SB)/8, $0x2020202020202020 // X8: case bit
DATA scanconst<>+0x08(SB)/8, $0x2020202020202020
DATA scanconst<>+0x10(SB)/8, $0x6161616161616161 // X9: 'a'
DATA scanconst<>+0x18(SB)/8, $0x6161616161616161
DATA scanconst<>+0x20(SB)/8, $0x1919191919191919 // X10: 25 ('z'-'a')
DATA scanconst<>+0x28(SB)/8, $0x1919191919191919
DATA scanconst<>+0x30(SB)/8, $0x3030303030303030 // X11: '0'
DATA scanconst<>+0x38(SB)/8, $0x3030303030303030
DATA scanconst<>+0x40(SB)/8, $0x0909090909090909 // X12: 9 ('9'-'0')
DATA scanconst<>+0x48(SB)/8, $0x0909090909090909
DATA scanconst<>+0x50(SB)/8, $0x2d2d2d2d2d2d2d2d // X13: '-'
DATA scanconst<>+0x58(SB)/8, $0x2d2d2d2d2d2d2d2d
DATA scanconst<>+0x60(SB)/8, $0x1f1f1f1f1f1f1f1f // X10 in the value loop: last CTL
DATA scanconst<>+0x68(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA scanconst<>+0x70(SB)/8, $0x7f7f7f7f7f7f7f7f // X11 in the value loop: DEL
DATA scanconst<>+0x78(SB)/8, $0x7f7f7f7f7f7f7f7f
GLOBL scanconst<>(SB), (NOPTR+RODATA), $128

// NAMEBAD sets the low 16 bits of M for the bytes of X that are not ALPHA,
// DIGIT or '-' (X is clobbered; X1, X2 are scratch). A byte is a letter
// when (x|0x20)-'a' <= 25 and a digit when x-'0' <= 9, unsigned: PSUBUSB
// leaves zero exactly for the bytes at or below the bound.
#define NAMEBAD(X, M) \
	MOVOU X, X1; POR X8, X1; PSUBB X9, X1; PSUBUSB X10, X1; PCMPEQB X14, X1; \
	MOVOU X, X2; PSUBB X11, X2; PSUBUSB X12, X2; PCMPEQB X14, X2; \
	PCMPEQB X13, X; POR X1, X; POR X2, X; PMOVMSKB X, M; XORL $0xffff, M

// VALUEBAD sets the low 16 bits of M for the bytes of X that are a CTL
// (x <= 0x1f: the unsigned minimum with 0x1f is x itself) or DEL.
#define VALUEBAD(X, M) \
	MOVOU X, X1; PMINUB X10, X1; PCMPEQB X, X1; PCMPEQB X11, X; POR X1, X; PMOVMSKB X, M

// func fieldLine(b []byte) (nameEnd, valueStart, valueEnd, next int)
TEXT ·fieldLine(SB), NOSPLIT, $0-56
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), BX
	MOVOU scanconst<>+0x00(SB), X8
	MOVOU scanconst<>+0x10(SB), X9
	MOVOU scanconst<>+0x20(SB), X10
	MOVOU scanconst<>+0x30(SB), X11
	MOVOU scanconst<>+0x40(SB), X12
	MOVOU scanconst<>+0x50(SB), X13
	PXOR X14, X14
	XORQ AX, AX

name16:
	LEAQ 16(AX), CX
	CMPQ CX, BX
	JA nametail
	MOVOU (SI)(AX*1), X0
	NAMEBAD(X0, DX)
	TESTL DX, DX
	JNZ namehit
	MOVQ CX, AX
	JMP name16

nametail:
	// Fewer than 16 bytes left: look at the last 16 bytes of b (when b
	// has that many) and drop the flags of the bytes already passed.
	CMPQ AX, BX
	JAE slow
	CMPQ BX, $16
	JB slow
	MOVOU -16(SI)(BX*1), X0
	NAMEBAD(X0, DX)
	MOVQ AX, CX
	SUBQ BX, CX
	ADDQ $16, CX // bytes of the window already passed
	SHRL CX, DX
	TESTL DX, DX
	JZ slow // name bytes up to the end: no colon yet

namehit:
	BSFL DX, DX
	ADDQ DX, AX
	// A non-empty name ended by ':'.
	TESTQ AX, AX
	JZ slow
	CMPB (SI)(AX*1), $0x3a
	JNE slow
	MOVQ AX, R8 // nameEnd
	INCQ AX
	MOVQ AX, R9 // value scan start (OWS included)
	MOVOU scanconst<>+0x60(SB), X10
	MOVOU scanconst<>+0x70(SB), X11

value16:
	LEAQ 16(AX), CX
	CMPQ CX, BX
	JA valuetail
	MOVOU (SI)(AX*1), X0
	VALUEBAD(X0, DX)
	TESTL DX, DX
	JNZ valuehit
	MOVQ CX, AX
	JMP value16

valuetail:
	CMPQ AX, BX
	JAE slow
	CMPQ BX, $16
	JB valueend // b[AX] not screened: the CRLF check below judges it
	MOVOU -16(SI)(BX*1), X0
	VALUEBAD(X0, DX)
	MOVQ AX, CX
	SUBQ BX, CX
	ADDQ $16, CX
	SHRL CX, DX
	TESTL DX, DX
	JZ slow

valuehit:
	BSFL DX, DX
	ADDQ DX, AX

valueend:
	// The value must end with CRLF, both inside b.
	LEAQ 1(AX), CX
	CMPQ CX, BX
	JAE slow
	CMPB (SI)(AX*1), $0x0d
	JNE slow
	CMPB (SI)(CX*1), $0x0a
	JNE slow
	// Trim SP (the only OWS the screen lets through) on both sides.
	MOVQ AX, DI // value end
lead:
	CMPQ R9, DI
	JAE trimmed
	CMPB (SI)(R9*1), $0x20
	JNE trail
	INCQ R9
	JMP lead
trail:
	CMPB -1(SI)(DI*1), $0x20
	JNE trimmed
	DECQ DI
	JMP trail // stops at R9, which is not SP
trimmed:
	MOVQ R8, nameEnd+24(FP)
	MOVQ R9, valueStart+32(FP)
	MOVQ DI, valueEnd+40(FP)
	ADDQ $2, AX
	MOVQ AX, next+48(FP)
	RET

slow:
	MOVQ $0, nameEnd+24(FP)
	MOVQ $0, valueStart+32(FP)
	MOVQ $0, valueEnd+40(FP)
	MOVQ $0, next+48(FP)
	RET

DATA targetconst<>+0x00(SB)/8, $0x2121212121212121 // X8: '!', first VCHAR
DATA targetconst<>+0x08(SB)/8, $0x2121212121212121
DATA targetconst<>+0x10(SB)/8, $0x5d5d5d5d5d5d5d5d // X9: '~'-'!'
DATA targetconst<>+0x18(SB)/8, $0x5d5d5d5d5d5d5d5d
DATA targetconst<>+0x20(SB)/8, $0x2222222222222222 // X10: '"' (and '#' = '"'+1)
DATA targetconst<>+0x28(SB)/8, $0x2222222222222222
DATA targetconst<>+0x30(SB)/8, $0x0101010101010101 // X11: 1
DATA targetconst<>+0x38(SB)/8, $0x0101010101010101
DATA targetconst<>+0x40(SB)/8, $0x3c3c3c3c3c3c3c3c // X12: '<'
DATA targetconst<>+0x48(SB)/8, $0x3c3c3c3c3c3c3c3c
DATA targetconst<>+0x50(SB)/8, $0x3e3e3e3e3e3e3e3e // X13: '>'
DATA targetconst<>+0x58(SB)/8, $0x3e3e3e3e3e3e3e3e
GLOBL targetconst<>(SB), (NOPTR+RODATA), $96

// TARGETBAD sets the low 16 bits of M for the bytes of X that are not
// request-target bytes: outside '!'..'~', or one of '"' '#' '<' '>'.
#define TARGETBAD(X, M) \
	MOVOU X, X1; PSUBB X8, X1; PSUBUSB X9, X1; PCMPEQB X14, X1; \
	MOVOU X, X2; PSUBB X10, X2; PSUBUSB X11, X2; PCMPEQB X14, X2; PANDN X1, X2; \
	MOVOU X, X3; PCMPEQB X12, X3; PCMPEQB X13, X; POR X3, X; PANDN X2, X; \
	PMOVMSKB X, M; XORL $0xffff, M

// func targetScan(b []byte) int
TEXT ·targetScan(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), BX
	MOVOU targetconst<>+0x00(SB), X8
	MOVOU targetconst<>+0x10(SB), X9
	MOVOU targetconst<>+0x20(SB), X10
	MOVOU targetconst<>+0x30(SB), X11
	MOVOU targetconst<>+0x40(SB), X12
	MOVOU targetconst<>+0x50(SB), X13
	PXOR X14, X14
	XORQ AX, AX

target16:
	LEAQ 16(AX), CX
	CMPQ CX, BX
	JA targettail
	MOVOU (SI)(AX*1), X0
	TARGETBAD(X0, DX)
	TESTL DX, DX
	JNZ targethit
	MOVQ CX, AX
	JMP target16

targettail:
	CMPQ AX, BX
	JAE targetend
	CMPQ BX, $16
	JB targetend
	MOVOU -16(SI)(BX*1), X0
	TARGETBAD(X0, DX)
	MOVQ AX, CX
	SUBQ BX, CX
	ADDQ $16, CX
	SHRL CX, DX
	TESTL DX, DX
	JNZ targethit
	MOVQ BX, AX

targetend:
	MOVQ AX, ret+24(FP)
	RET

targethit:
	BSFL DX, DX
	ADDQ DX, AX
	MOVQ AX, ret+24(FP)
	RET
