/*
 * Native pixel pass of the NMI kernel, loaded through Deno's FFI by nmi/_native.ts
 * and built by `deno task build-nmi-native`.
 *
 * It computes, per RGB channel of an image pair, the sums of c log2 c over the joint,
 * clean and degraded counts and the number of nonzero clean and degraded bins. The
 * NMI itself is computed from them in TypeScript, with the same code as for the
 * WebAssembly pass. Each sum adds the same float64 terms in the same order as the
 * other passes, so all passes give the same floats:
 *
 * - Small images (fewer pixels than bins x bins cells): for each value, in order, the
 *   increase of c log2 c of its joint cell, as countSmallImage in _typescript_pass.ts.
 * - Other images: c log2 c of every joint cell, row by row, as summarizeJoints there.
 * - Marginals: the row and column sums of the joint counts, summed in bin order.
 *
 * The library keeps no state: every buffer comes from the caller, so worker threads
 * can call it at once with their own buffers. It must be compiled without
 * -ffast-math, so that the compiler keeps the float64 additions in source order, and
 * with -ffp-contract=off, so that it fuses no multiplication into an addition.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Changes whenever a signature or the scratch layout changes. nmi/_native.ts checks it. */
#define MIALS_NMI_ABI 1

/* With GCC on x86-64 Linux the pass is compiled twice, for AVX2 and for any x86-64, and picked at load. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define MIALS_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MIALS_CLONES
#endif

#define CHANNELS 3
#define MAX_BINS 256
#define MAX_PIXELS 65535
/*
 * Histogram cells per pixel up to which an image takes this pass. Its scan of every
 * cell grows with bins x bins, and at 64 cells per pixel (8 x 8 images with 64 bins)
 * it was still faster than the WebAssembly pass, whose one-call path has the same limit.
 */
#define MAX_CELLS_PER_PIXEL 64

/* Byte offsets of the scratch regions for one image shape. */
typedef struct {
  size_t columns; /* uint16_t[bins]: column sums of one channel's joint counts */
  size_t rows;    /* uint32_t[bins]: row sums */
  size_t cells;   /* uint16_t[3 * pixels]: each value's joint cell */
  size_t total;
} Layout;

static size_t align16(size_t bytes) { return (bytes + 15) & ~(size_t)15; }

/* The joint counts come first: uint16_t[3 * bins * bins], all zero between calls. */
static Layout layout(int32_t pixels, int32_t bins) {
  Layout at;
  size_t cells = (size_t)bins * (size_t)bins;
  at.columns = align16(CHANNELS * cells * sizeof(uint16_t));
  at.rows = align16(at.columns + (size_t)bins * sizeof(uint16_t));
  at.cells = align16(at.rows + (size_t)bins * sizeof(uint32_t));
  at.total = align16(at.cells + CHANNELS * (size_t)pixels * sizeof(uint16_t));
  return at;
}

static int supported(int32_t pixels, int32_t bins) {
  return bins >= 2 && bins <= MAX_BINS && pixels >= 1 && pixels <= MAX_PIXELS &&
         (int64_t)bins * bins <= (int64_t)MAX_CELLS_PER_PIXEL * pixels;
}

int32_t mials_nmi_abi(void) { return MIALS_NMI_ABI; }

/* Bytes of scratch memory that mials_nmi_sums needs, or -1 for a shape it does not take. */
int32_t mials_nmi_scratch_bytes(int32_t pixels, int32_t bins) {
  return supported(pixels, bins) ? (int32_t)layout(pixels, bins).total : -1;
}

/*
 * Stores the joint cell of each of the n values: min(bins - 1, max(0, trunc(v * bins)))
 * per image, NaN in bin 0. For a power-of-two bin count the product is taken in
 * float32, where it is exact. Other bin counts take it in float64, which is exact for
 * any float32 value and bin count here.
 */
static inline void bin_cells(const float *restrict clean, const float *restrict degraded, int32_t n,
                             int32_t bins, uint16_t *restrict cells) {
  if ((bins & (bins - 1)) == 0) {
    const float scale = (float)bins, last = (float)(bins - 1);
    for (int32_t i = 0; i < n; i++) {
      float x = clean[i] * scale, y = degraded[i] * scale;
      x = x > 0 ? x : 0;
      x = x < last ? x : last;
      y = y > 0 ? y : 0;
      y = y < last ? y : last;
      cells[i] = (uint16_t)((int32_t)x * bins + (int32_t)y);
    }
  } else {
    const double scale = (double)bins, last = (double)(bins - 1);
    for (int32_t i = 0; i < n; i++) {
      double x = (double)clean[i] * scale, y = (double)degraded[i] * scale;
      x = x > 0 ? x : 0;
      x = x < last ? x : last;
      y = y > 0 ? y : 0;
      y = y < last ? y : last;
      cells[i] = (uint16_t)((int32_t)x * bins + (int32_t)y);
    }
  }
}

/* Columns summed per pass over the rows: their sums stay in vector registers. */
#define COLUMN_BLOCK 64

/*
 * Adds columns block to block + width - 1 of every row of one channel's joint counts
 * to column_sums, and each row's sum over them to rows.
 */
static inline void sum_block(const uint16_t *restrict joint, int32_t bins, int32_t block, int32_t width,
                             uint32_t *restrict rows, uint16_t *restrict column_sums) {
  for (int32_t x = 0; x < bins; x++) {
    const uint16_t *restrict row = joint + (size_t)x * bins + block;
    uint16_t total = 0;
    for (int32_t y = 0; y < width; y++) {
      column_sums[y] = (uint16_t)(column_sums[y] + row[y]);
      total = (uint16_t)(total + row[y]);
    }
    rows[x] += total;
  }
}

/*
 * Returns the sum of c log2 c over one channel's joint counts in row order when
 * with_joint is set (else 0), and stores their row and column sums.
 */
static inline double scan_joint(const uint16_t *restrict joint, int32_t bins, const double *restrict count_log2_count,
                                int with_joint, uint32_t *restrict rows, uint16_t *restrict columns) {
  double sum = 0;
  for (int32_t x = 0; x < bins; x++) rows[x] = 0;
  /* Row and column sums stay below 2^16: they add up to the pixel count. */
  for (int32_t block = 0; block < bins; block += COLUMN_BLOCK) {
    const int32_t width = bins - block < COLUMN_BLOCK ? bins - block : COLUMN_BLOCK;
    uint16_t column_sums[COLUMN_BLOCK] = {0};
    /* A constant width lets the compiler keep the column sums of a full block in registers. */
    if (width == COLUMN_BLOCK) sum_block(joint, bins, block, COLUMN_BLOCK, rows, column_sums);
    else sum_block(joint, bins, block, width, rows, column_sums);
    for (int32_t y = 0; y < width; y++) columns[block + y] = column_sums[y];
  }
  if (with_joint) {
    for (size_t cell = 0; cell < (size_t)bins * bins; cell++) sum += count_log2_count[joint[cell]];
  }
  return sum;
}

/*
 * Counts an image pair of `pixels` RGB pixels (HWC float32) into uint16 joint
 * histograms. Writes per channel c, at out[5c] to out[5c + 4], the sums of c log2 c
 * over the joint, clean and degraded counts, then the nonzero clean and degraded bins.
 *
 * count_log2_count[c] = c log2 c for c in [0, pixels]; increase[c] is
 * count_log2_count[c + 1] - count_log2_count[c] for c in [0, pixels - 1]. scratch has
 * mials_nmi_scratch_bytes(pixels, bins) bytes, 4-byte aligned, its joint counts zero.
 * They are zero again on return. Returns 0, or -1 (writing nothing) for a shape that
 * mials_nmi_scratch_bytes rejects.
 */
MIALS_CLONES
int32_t mials_nmi_sums(const float *restrict clean, const float *restrict degraded, int32_t pixels, int32_t bins,
                       const double *restrict count_log2_count, const double *restrict increase,
                       uint8_t *restrict scratch, double *restrict out) {
  if (!supported(pixels, bins)) return -1;
  const Layout at = layout(pixels, bins);
  const size_t cells_per_channel = (size_t)bins * (size_t)bins;
  const int32_t values = pixels * CHANNELS;
  /* The channels' pointers below alias joint, so neither is restrict. */
  uint16_t *joint = (uint16_t *)scratch;
  uint16_t *restrict cells = (uint16_t *)(scratch + at.cells);
  bin_cells(clean, degraded, values, bins, cells);

  uint16_t *red = joint, *green = joint + cells_per_channel, *blue = joint + 2 * cells_per_channel;
  const int small = cells_per_channel > (size_t)pixels;
  double joint_sums[CHANNELS] = {0, 0, 0};
  if (small) {
    double red_sum = 0, green_sum = 0, blue_sum = 0;
    for (int32_t i = 0; i < values; i += CHANNELS) {
      uint16_t count = red[cells[i]]++;
      red_sum += increase[count];
      count = green[cells[i + 1]]++;
      green_sum += increase[count];
      count = blue[cells[i + 2]]++;
      blue_sum += increase[count];
    }
    joint_sums[0] = red_sum;
    joint_sums[1] = green_sum;
    joint_sums[2] = blue_sum;
  } else {
    for (int32_t i = 0; i < values; i += CHANNELS) {
      red[cells[i]]++;
      green[cells[i + 1]]++;
      blue[cells[i + 2]]++;
    }
  }

  uint32_t *restrict rows = (uint32_t *)(scratch + at.rows);
  uint16_t *restrict columns = (uint16_t *)(scratch + at.columns);
  for (int32_t c = 0; c < CHANNELS; c++) {
    double scanned = scan_joint(joint + c * cells_per_channel, bins, count_log2_count, !small, rows, columns);
    double clean_sum = 0, degraded_sum = 0;
    int32_t clean_bins = 0, degraded_bins = 0;
    for (int32_t b = 0; b < bins; b++) {
      clean_sum += count_log2_count[rows[b]];
      clean_bins += rows[b] != 0;
    }
    for (int32_t b = 0; b < bins; b++) {
      degraded_sum += count_log2_count[columns[b]];
      degraded_bins += columns[b] != 0;
    }
    out[5 * c] = small ? joint_sums[c] : scanned;
    out[5 * c + 1] = clean_sum;
    out[5 * c + 2] = degraded_sum;
    out[5 * c + 3] = clean_bins;
    out[5 * c + 4] = degraded_bins;
  }
  memset(joint, 0, CHANNELS * cells_per_channel * sizeof(uint16_t));
  return 0;
}
