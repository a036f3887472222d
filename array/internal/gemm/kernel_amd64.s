#include "textflag.h"

// One step of the 6×8 float64 kernel: B's row of 8 (Y0, Y1) times each of
// A's 6 values of column p, broadcast, into the accumulators Y4..Y15.
#define DSTEP(aoff, boff) \
	VMOVUPD      boff(DI), Y0 \
	VMOVUPD      boff+32(DI), Y1 \
	VBROADCASTSD aoff(SI), Y2 \
	VBROADCASTSD aoff+8(SI), Y3 \
	VFMADD231PD  Y0, Y2, Y4 \
	VFMADD231PD  Y1, Y2, Y5 \
	VFMADD231PD  Y0, Y3, Y6 \
	VFMADD231PD  Y1, Y3, Y7 \
	VBROADCASTSD aoff+16(SI), Y2 \
	VBROADCASTSD aoff+24(SI), Y3 \
	VFMADD231PD  Y0, Y2, Y8 \
	VFMADD231PD  Y1, Y2, Y9 \
	VFMADD231PD  Y0, Y3, Y10 \
	VFMADD231PD  Y1, Y3, Y11 \
	VBROADCASTSD aoff+32(SI), Y2 \
	VBROADCASTSD aoff+40(SI), Y3 \
	VFMADD231PD  Y0, Y2, Y12 \
	VFMADD231PD  Y1, Y2, Y13 \
	VFMADD231PD  Y0, Y3, Y14 \
	VFMADD231PD  Y1, Y3, Y15

// Adds two accumulators to one row of C at DX, and moves DX to the next.
#define DSTORE(lo, hi) \
	VADDPD  (DX), lo, lo \
	VADDPD  32(DX), hi, hi \
	VMOVUPD lo, (DX) \
	VMOVUPD hi, 32(DX) \
	ADDQ    R8, DX

// func dgemmAVX2(k int, a, b, c *float64, ldc int)
TEXT ·dgemmAVX2(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15
	// Four steps at a time, then the rest one by one.
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   dtail

dloop4:
	DSTEP(0, 0)
	DSTEP(48, 64)
	DSTEP(96, 128)
	DSTEP(144, 192)
	ADDQ $192, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   dstore

dloop1:
	DSTEP(0, 0)
	ADDQ $48, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  dloop1

dstore:
	DSTORE(Y4, Y5)
	DSTORE(Y6, Y7)
	DSTORE(Y8, Y9)
	DSTORE(Y10, Y11)
	DSTORE(Y12, Y13)
	DSTORE(Y14, Y15)
	VZEROUPPER
	RET

// The float32 kernel: the same with a 6×16 tile (8 floats a register).
#define SSTEP(aoff, boff) \
	VMOVUPS      boff(DI), Y0 \
	VMOVUPS      boff+32(DI), Y1 \
	VBROADCASTSS aoff(SI), Y2 \
	VBROADCASTSS aoff+4(SI), Y3 \
	VFMADD231PS  Y0, Y2, Y4 \
	VFMADD231PS  Y1, Y2, Y5 \
	VFMADD231PS  Y0, Y3, Y6 \
	VFMADD231PS  Y1, Y3, Y7 \
	VBROADCASTSS aoff+8(SI), Y2 \
	VBROADCASTSS aoff+12(SI), Y3 \
	VFMADD231PS  Y0, Y2, Y8 \
	VFMADD231PS  Y1, Y2, Y9 \
	VFMADD231PS  Y0, Y3, Y10 \
	VFMADD231PS  Y1, Y3, Y11 \
	VBROADCASTSS aoff+16(SI), Y2 \
	VBROADCASTSS aoff+20(SI), Y3 \
	VFMADD231PS  Y0, Y2, Y12 \
	VFMADD231PS  Y1, Y2, Y13 \
	VFMADD231PS  Y0, Y3, Y14 \
	VFMADD231PS  Y1, Y3, Y15

#define SSTORE(lo, hi) \
	VADDPS  (DX), lo, lo \
	VADDPS  32(DX), hi, hi \
	VMOVUPS lo, (DX) \
	VMOVUPS hi, 32(DX) \
	ADDQ    R8, DX

// func sgemmAVX2(k int, a, b, c *float32, ldc int)
TEXT ·sgemmAVX2(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   stail

sloop4:
	SSTEP(0, 0)
	SSTEP(24, 64)
	SSTEP(48, 128)
	SSTEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  sloop4

stail:
	ANDQ $3, CX
	JZ   sstore

sloop1:
	SSTEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  sloop1

sstore:
	SSTORE(Y4, Y5)
	SSTORE(Y6, Y7)
	SSTORE(Y8, Y9)
	SSTORE(Y10, Y11)
	SSTORE(Y12, Y13)
	SSTORE(Y14, Y15)
	VZEROUPPER
	RET
