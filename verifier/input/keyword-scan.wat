;; Multi-keyword prefilter and line pass for the verifier's line scanner, with WebAssembly SIMD.
;;
;; Each keyword is put in one of 8 buckets (a bit). For each of the first three byte positions j of a
;; keyword there are two 16-byte tables, indexed by the low and the high nibble of the text byte:
;; lo_j[n] holds the buckets with a keyword whose byte j has low nibble n, hi_j likewise. A text position
;; p is a candidate when some bucket's bit survives
;;   lo_0[t[p] & 15] & hi_0[t[p] >> 4] & lo_1[t[p+1] & 15] & … & hi_2[t[p+2] >> 4]
;; which costs two table lookups (i8x16.swizzle) per position and byte, sixteen positions at a time.
;; A candidate is not yet a hit (nibbles of different keywords of one bucket can combine), so the
;; keywords are compared at each candidate; a position that holds a keyword is always a candidate.
;; Why not 18 native searches: each is a pass over every byte, and on log text they cost the verifier
;; more than half its time (issue 10).
;;
;; `scan_lines` makes this prefilter pass, 32 bytes a step, over a region of whole lines and does
;; the line scanner's per-line work in it, so JavaScript touches only the lines that need it: it counts
;; newlines (line numbers in evidence stay exact), sorts line starts by their first bytes into heads
;; (`[NN..-` or `NNNN-`, at least 8 bytes), continuations (empty, or a leading space or tab) and the
;; rest, which JavaScript must judge; it compares prefilter candidates with the keywords, notes whether
;; every byte is ASCII (then no UTF-8 validation is needed) and counts lines longer than the caller's
;; limit (at least 32). Layout, written by the caller (see simd-keyword-finder.ts):
;;   [0, 96)          the prefilter tables: lo_0 hi_0 lo_1 hi_1 lo_2 hi_2
;;   [96, 128)        results: newlines, heads, continuations, lines to judge, non-ASCII, over-long lines
;;   [128, 160)       scratch: the prefilter's bucket bits per lane
;;   [256, 288)       each keyword's prefilter bucket bit, one byte per keyword
;;   [1024, 2048)     each keyword as 16 bytes and a 16-byte mask of its length (at most 32 keywords)
;;   [text, text+n)   the region, then a newline (ending its last line) and at least 64 zero bytes (no
;;                    keyword byte is below 0x10, so zero padding never matches and the loads past the
;;                    end stay in bounds)
;;   hits             per line holding a keyword: its start, its index (0-based) and the keyword bits
;;   judge            per line to judge: its start and index
;;   line_starts      scratch: where each line starts
(module
  (memory (export "memory") 1)
  ;; The bits of the keywords whose bucket is in $bucket and that begin at $at.
  (func $keywords_at (param $at i32) (param $bucket i32) (param $k i32) (result i32)
    (local $j i32) (local $found i32) (local $text v128)
    (local.set $text (v128.load (local.get $at)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        (if (i32.and (local.get $bucket) (i32.load8_u offset=256 (local.get $j)))
          (then
            (if (i8x16.all_true
                  (i8x16.eq
                    (v128.and (local.get $text) (v128.load offset=1040 (i32.shl (local.get $j) (i32.const 5))))
                    (v128.load offset=1024 (i32.shl (local.get $j) (i32.const 5)))))
              (then (local.set $found (i32.or (local.get $found) (i32.shl (i32.const 1) (local.get $j))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each)))
    (local.get $found))
  (func (export "scan_lines")
    (param $text i32) (param $n i32) (param $heads_from_bytes i32) (param $k i32) (param $max_line i32)
    (param $hits i32) (param $judge i32) (param $line_starts i32) (result i32)
    (local $i i32) (local $a i32) (local $j i32) (local $p i32)
    (local $nl_bits i32) (local $starts i32) (local $below i32)
    (local $todo i32) (local $lo i32) (local $hi i32) (local $b0 i32) (local $w i64) (local $found i32) (local $line i32)
    (local $lines i32) (local $last_nl i32) (local $len i32)
    (local $n_heads i32) (local $n_conts i32) (local $n_judge i32) (local $n_hits i32) (local $n_long i32)
    (local $last_hit_line i32) (local $carry i32) (local $may_be_long i32) (local $n_starts i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $m v128) (local $ascii v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $mu v128)
    (local $low v128)
    (local $nl v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $lo2 v128) (local $hi2 v128)
    (local.set $low (i8x16.splat (i32.const 15)))
    (local.set $lo0 (v128.load offset=0 (i32.const 0)))
    (local.set $hi0 (v128.load offset=16 (i32.const 0)))
    (local.set $lo1 (v128.load offset=32 (i32.const 0)))
    (local.set $hi1 (v128.load offset=48 (i32.const 0)))
    (local.set $lo2 (v128.load offset=64 (i32.const 0)))
    (local.set $hi2 (v128.load offset=80 (i32.const 0)))
    (local.set $nl (i8x16.splat (i32.const 0x0a)))
    (local.set $last_nl (i32.const -1))
    (local.set $last_hit_line (i32.const -1))
    (local.set $carry (i32.const 1))
    (local.set $may_be_long (i32.gt_u (local.get $n) (local.get $max_line)))
    (block $done
      (loop $step
        (br_if $done (i32.gt_u (local.get $i) (local.get $n)))
        (local.set $a (i32.add (local.get $text) (local.get $i)))
        (local.set $v0 (v128.load (local.get $a)))
        (local.set $v1 (v128.load offset=1 (local.get $a)))
        (local.set $v2 (v128.load offset=2 (local.get $a)))
        (local.set $u0 (v128.load offset=16 (local.get $a)))
        (local.set $ascii (v128.or (local.get $ascii) (v128.or (local.get $v0) (local.get $u0))))
        (local.set $nl_bits
          (i32.or (i8x16.bitmask (i8x16.eq (local.get $v0) (local.get $nl)))
                  (i32.shl (i8x16.bitmask (i8x16.eq (local.get $u0) (local.get $nl))) (i32.const 16))))
        ;; only the first line to end in a step can be longer than 32 bytes, and none in a short text
        (if (i32.and (local.get $may_be_long) (i32.ne (local.get $nl_bits) (i32.const 0)))
          (then
            (local.set $p (i32.add (local.get $i) (i32.ctz (local.get $nl_bits))))
            (local.set $len (i32.sub (i32.sub (local.get $p) (local.get $last_nl)) (i32.const 1)))
            (if (i32.and (i32.gt_s (local.get $len) (i32.const 0))
                         (i32.eq (i32.load8_u (i32.sub (i32.add (local.get $text) (local.get $p)) (i32.const 1))) (i32.const 0x0d)))
              (then (local.set $len (i32.sub (local.get $len) (i32.const 1)))))
            (if (i32.gt_s (local.get $len) (local.get $max_line))
              (then (local.set $n_long (i32.add (local.get $n_long) (i32.const 1)))))))
        ;; a line starts at the text's first byte and after each newline (the newline ending the text
        ;; starts one more, dropped at the end)
        (local.set $starts (i32.or (i32.shl (local.get $nl_bits) (i32.const 1)) (local.get $carry)))
        (local.set $carry (i32.shr_u (local.get $nl_bits) (i32.const 31)))
        ;; where lines start, settled after the pass: deciding here costs a mispredicted branch a line
        (i32.store (i32.add (local.get $line_starts) (i32.shl (local.get $n_starts) (i32.const 2)))
          (i32.add (local.get $i) (i32.ctz (local.get $starts))))
        (local.set $n_starts (i32.add (local.get $n_starts) (i32.ne (local.get $starts) (i32.const 0))))
        (if (i32.and (local.get $starts) (i32.sub (local.get $starts) (i32.const 1)))
          (then
            (local.set $todo (i32.and (local.get $starts) (i32.sub (local.get $starts) (i32.const 1))))
            (loop $more
              (i32.store (i32.add (local.get $line_starts) (i32.shl (local.get $n_starts) (i32.const 2)))
                (i32.add (local.get $i) (i32.ctz (local.get $todo))))
              (local.set $n_starts (i32.add (local.get $n_starts) (i32.const 1)))
              (local.set $todo (i32.and (local.get $todo) (i32.sub (local.get $todo) (i32.const 1))))
              (br_if $more (local.get $todo)))))
        ;; the keyword prefilter, as in `scan`
        (local.set $m
          (v128.and
            (v128.and
              (v128.and
                (i8x16.swizzle (local.get $lo0) (v128.and (local.get $v0) (local.get $low)))
                (i8x16.swizzle (local.get $hi0) (i8x16.shr_u (local.get $v0) (i32.const 4))))
              (v128.and
                (i8x16.swizzle (local.get $lo1) (v128.and (local.get $v1) (local.get $low)))
                (i8x16.swizzle (local.get $hi1) (i8x16.shr_u (local.get $v1) (i32.const 4)))))
            (v128.and
              (i8x16.swizzle (local.get $lo2) (v128.and (local.get $v2) (local.get $low)))
              (i8x16.swizzle (local.get $hi2) (i8x16.shr_u (local.get $v2) (i32.const 4))))))
        (local.set $u1 (v128.load offset=17 (local.get $a)))
        (local.set $u2 (v128.load offset=18 (local.get $a)))
        (local.set $mu
          (v128.and
            (v128.and
              (v128.and
                (i8x16.swizzle (local.get $lo0) (v128.and (local.get $u0) (local.get $low)))
                (i8x16.swizzle (local.get $hi0) (i8x16.shr_u (local.get $u0) (i32.const 4))))
              (v128.and
                (i8x16.swizzle (local.get $lo1) (v128.and (local.get $u1) (local.get $low)))
                (i8x16.swizzle (local.get $hi1) (i8x16.shr_u (local.get $u1) (i32.const 4)))))
            (v128.and
              (i8x16.swizzle (local.get $lo2) (v128.and (local.get $u2) (local.get $low)))
              (i8x16.swizzle (local.get $hi2) (i8x16.shr_u (local.get $u2) (i32.const 4))))))
        (if (v128.any_true (v128.or (local.get $m) (local.get $mu)))
          (then
            (v128.store offset=128 (i32.const 0) (local.get $m))
            (v128.store offset=144 (i32.const 0) (local.get $mu))
            (local.set $todo
              (i32.or (i8x16.bitmask (i8x16.ne (local.get $m) (v128.const i64x2 0 0)))
                      (i32.shl (i8x16.bitmask (i8x16.ne (local.get $mu) (v128.const i64x2 0 0))) (i32.const 16))))
            (block $compared
              (loop $each
                (br_if $compared (i32.eqz (local.get $todo)))
                (local.set $j (i32.ctz (local.get $todo)))
                (local.set $todo (i32.and (local.get $todo) (i32.sub (local.get $todo) (i32.const 1))))
                (local.set $found (call $keywords_at (i32.add (local.get $a) (local.get $j)) (i32.load8_u offset=128 (local.get $j)) (local.get $k)))
                (if (local.get $found)
                  (then
                    (local.set $below (i32.and (local.get $nl_bits) (i32.sub (i32.shl (i32.const 1) (local.get $j)) (i32.const 1))))
                    (local.set $line (i32.add (local.get $lines) (i32.popcnt (local.get $below))))
                    (if (i32.eq (local.get $line) (local.get $last_hit_line))
                      (then
                        (local.set $p (i32.add (local.get $hits) (i32.mul (i32.sub (local.get $n_hits) (i32.const 1)) (i32.const 12))))
                        (i32.store offset=8 (local.get $p) (i32.or (i32.load offset=8 (local.get $p)) (local.get $found))))
                      (else
                        (local.set $p (i32.add (local.get $hits) (i32.mul (local.get $n_hits) (i32.const 12))))
                        (i32.store (local.get $p)
                          (select
                            (i32.sub (i32.add (local.get $i) (i32.const 32)) (i32.clz (local.get $below)))
                            (i32.add (local.get $last_nl) (i32.const 1))
                            (local.get $below)))
                        (i32.store offset=4 (local.get $p) (local.get $line))
                        (i32.store offset=8 (local.get $p) (local.get $found))
                        (local.set $n_hits (i32.add (local.get $n_hits) (i32.const 1)))
                        (local.set $last_hit_line (local.get $line))))))
                (br $each)))))
        (local.set $last_nl
          (select (i32.sub (i32.add (local.get $i) (i32.const 31)) (i32.clz (local.get $nl_bits))) (local.get $last_nl) (local.get $nl_bits)))
        (local.set $lines (i32.add (local.get $lines) (i32.popcnt (local.get $nl_bits))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $step)))
    ;; the newline ending the text is not counted, nor the line it would start
    (if (i32.gt_u (i32.load (i32.add (local.get $line_starts) (i32.shl (i32.sub (local.get $n_starts) (i32.const 1)) (i32.const 2)))) (local.get $n))
      (then (local.set $n_starts (i32.sub (local.get $n_starts) (i32.const 1)))))
    (local.set $j (i32.const 0))
    ;; each line start, settled from its first bytes where they say enough (most lines are heads)
    (block $read
      (loop $each
        (br_if $read (i32.ge_u (local.get $j) (local.get $n_starts)))
        (local.set $p (i32.add (local.get $text) (i32.load (i32.add (local.get $line_starts) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $w (i64.load (local.get $p)))
        (local.set $lo (i32.wrap_i64 (local.get $w)))
        (local.set $hi (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const 32))))
        (local.set $b0 (i32.and (local.get $lo) (i32.const 0xff)))
        (block $settled
          ;; a head: `[` digit digit . . `-` or digit digit . digit `-`, at least 8 bytes before its
          ;; end (no newline among them, nor CR LF at the eighth)
          (if (i32.and (local.get $heads_from_bytes)
                (i32.or
                  (i32.and
                    (i32.and (i32.eq (local.get $b0) (i32.const 0x5b)) (i32.lt_u (i32.sub (i32.and (i32.shr_u (local.get $lo) (i32.const 8)) (i32.const 0xff)) (i32.const 0x30)) (i32.const 10)))
                    (i32.and (i32.lt_u (i32.sub (i32.and (i32.shr_u (local.get $lo) (i32.const 16)) (i32.const 0xff)) (i32.const 0x30)) (i32.const 10)) (i32.eq (i32.and (i32.shr_u (local.get $hi) (i32.const 8)) (i32.const 0xff)) (i32.const 0x2d))))
                  (i32.and
                    (i32.and (i32.lt_u (i32.sub (local.get $b0) (i32.const 0x30)) (i32.const 10)) (i32.lt_u (i32.sub (i32.and (i32.shr_u (local.get $lo) (i32.const 8)) (i32.const 0xff)) (i32.const 0x30)) (i32.const 10)))
                    (i32.and (i32.lt_u (i32.sub (i32.shr_u (local.get $lo) (i32.const 24)) (i32.const 0x30)) (i32.const 10)) (i32.eq (i32.and (local.get $hi) (i32.const 0xff)) (i32.const 0x2d))))))
            (then
              (local.set $w (i64.xor (local.get $w) (i64.const 0x0a0a0a0a0a0a0a0a)))
              (if (i32.eqz
                    (i32.or
                      (i64.ne (i64.and (i64.and (i64.sub (local.get $w) (i64.const 0x0101010101010101)) (i64.xor (local.get $w) (i64.const -1)))
                                       (i64.const 0x8080808080808080))
                              (i64.const 0))
                      (i32.and (i32.eq (i32.shr_u (local.get $hi) (i32.const 24)) (i32.const 0x0d))
                               (i32.eq (i32.load8_u offset=8 (local.get $p)) (i32.const 0x0a)))))
                (then
                  (local.set $n_heads (i32.add (local.get $n_heads) (i32.const 1)))
                  (br $settled)))))
          ;; a continuation: empty, or a leading space or tab
          (if (i32.or
                (i32.or (i32.eq (local.get $b0) (i32.const 0x0a)) (i32.eq (local.get $b0) (i32.const 0x20)))
                (i32.or (i32.eq (local.get $b0) (i32.const 0x09))
                        (i32.and (i32.eq (local.get $b0) (i32.const 0x0d)) (i32.eq (i32.and (i32.shr_u (local.get $lo) (i32.const 8)) (i32.const 0xff)) (i32.const 0x0a)))))
            (then
              (local.set $n_conts (i32.add (local.get $n_conts) (i32.const 1)))
              (br $settled)))
          (i32.store (i32.add (local.get $judge) (i32.shl (local.get $n_judge) (i32.const 3)))
            (i32.sub (local.get $p) (local.get $text)))
          (i32.store offset=4 (i32.add (local.get $judge) (i32.shl (local.get $n_judge) (i32.const 3))) (local.get $j))
          (local.set $n_judge (i32.add (local.get $n_judge) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each)))
    (i32.store offset=96 (i32.const 0) (i32.sub (local.get $lines) (i32.const 1)))
    (i32.store offset=100 (i32.const 0) (local.get $n_heads))
    (i32.store offset=104 (i32.const 0) (local.get $n_conts))
    (i32.store offset=108 (i32.const 0) (local.get $n_judge))
    (i32.store offset=112 (i32.const 0) (i32.ne (i8x16.bitmask (local.get $ascii)) (i32.const 0)))
    (i32.store offset=116 (i32.const 0) (local.get $n_long))
    (local.get $n_hits))
)
