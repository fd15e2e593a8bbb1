;; Multi-keyword prefilter for the verifier's line scanner, 16 bytes per step with WebAssembly SIMD.
;;
;; Each keyword is put in one of 8 buckets (a bit). For each of the first three byte positions j of a
;; keyword there are two 16-byte tables, indexed by the low and the high nibble of the text byte:
;; lo_j[n] holds the buckets with a keyword whose byte j has low nibble n, hi_j likewise. A text position
;; p is a candidate when some bucket's bit survives
;;   lo_0[t[p] & 15] & hi_0[t[p] >> 4] & lo_1[t[p+1] & 15] & … & hi_2[t[p+2] >> 4]
;; which costs two table lookups (i8x16.swizzle) per position and byte, sixteen positions at a time.
;; A candidate is not yet a hit (nibbles of different keywords of one bucket can combine), so the
;; caller compares the keywords at each candidate; a position that holds a keyword is always a
;; candidate. Why not 18 native searches: each is a pass over every byte, and on log text they cost
;; the verifier more than half its time (issue 10).
;;
;; Memory layout, written by the caller:
;;   [0, 96)        lo_0 hi_0 lo_1 hi_1 lo_2 hi_2
;;   [128, 128+n)   the text, followed by at least 48 zero bytes (no keyword byte is below 0x10,
;;                  so zero padding never matches and the loads past the end stay in bounds)
;;   [out, …)       candidate positions (u32, relative to the text, ascending), one per text byte at most
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $n i32) (param $out i32) (result i32)
    (local $i i32)
    (local $count i32)
    (local $bits i32)
    (local $v v128)
    (local $m v128)
    (local $low v128)
    (local $lo0 v128) (local $hi0 v128)
    (local $lo1 v128) (local $hi1 v128)
    (local $lo2 v128) (local $hi2 v128)
    (local.set $low (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $lo0 (v128.load offset=0 (i32.const 0)))
    (local.set $hi0 (v128.load offset=16 (i32.const 0)))
    (local.set $lo1 (v128.load offset=32 (i32.const 0)))
    (local.set $hi1 (v128.load offset=48 (i32.const 0)))
    (local.set $lo2 (v128.load offset=64 (i32.const 0)))
    (local.set $hi2 (v128.load offset=80 (i32.const 0)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (v128.load offset=128 (local.get $i)))
        (local.set $m
          (v128.and
            (i8x16.swizzle (local.get $lo0) (v128.and (local.get $v) (local.get $low)))
            (i8x16.swizzle (local.get $hi0) (i8x16.shr_u (local.get $v) (i32.const 4)))))
        (local.set $v (v128.load offset=129 (local.get $i)))
        (local.set $m
          (v128.and (local.get $m)
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (local.get $v) (local.get $low)))
              (i8x16.swizzle (local.get $hi1) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (local.set $v (v128.load offset=130 (local.get $i)))
        (local.set $m
          (v128.and (local.get $m)
            (v128.and
              (i8x16.swizzle (local.get $lo2) (v128.and (local.get $v) (local.get $low)))
              (i8x16.swizzle (local.get $hi2) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (if (v128.any_true (local.get $m))
          (then
            (local.set $bits (i8x16.bitmask (i8x16.ne (local.get $m) (v128.const i64x2 0 0))))
            (loop $lane
              (i32.store
                (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2)))
                (i32.add (local.get $i) (i32.ctz (local.get $bits))))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
              (br_if $lane (local.get $bits)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $step)))
    (local.get $count)))
