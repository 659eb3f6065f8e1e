/* TensorBoard event files, written without TensorFlow.
 *
 * A file "events.out.tfevents.<time>.<host>.<pid>.<n>" in a log folder holds TFRecords:
 *   uint64 length, uint32 masked CRC-32C of the length bytes, the data, uint32 masked CRC-32C
 *   of the data (all little-endian; mask: ((crc >> 15) | (crc << 17)) + 0xa282ead8),
 * each data a serialized tensorflow.Event: wall_time = 1 (double), step = 2 (int64),
 * file_version = 3 (string, the first record: "brain.Event:2"), summary = 5, session_log = 6.
 * Summary.value = 1 (repeated): tag = 1, simple_value = 2 (float), image = 4 (height 1, width 2,
 * colorspace 3, encoded_image_string 4: PNG), histo = 5 (HistogramProto: min 1, max 2, num 3,
 * sum 4, sum_squares 5, bucket_limit 6 and bucket 7 as packed doubles).
 *
 * Histograms use TensorFlow's default buckets (limits +-1e-12 * 1.1^k up to 1e20, 0 and
 * +-DBL_MAX; a value v falls in the first bucket whose limit is > v), with runs of empty buckets
 * merged as TensorFlow's Histogram::EncodeToProto does.
 *
 * Every record is written with one fwrite and flushed, so TensorBoard can read the file while
 * training runs. (An event file is a stream that grows; unlike the other outputs it is not
 * written atomically. A run that resumes starts a new file; TensorBoard reads every file in the
 * folder.) */
#ifndef DCGAN_IO_TB_EVENTS_H
#define DCGAN_IO_TB_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include "io/protobuf.h"
#include "core/error.h"

typedef struct tb_writer tb_writer;

/* Creates logdir if needed and a new event file in it (never overwriting one), and writes the
 * file_version record. */
tb_writer *tb_writer_open(const char *logdir, dc_err *e);
/* Path of the event file. */
const char *tb_writer_path(const tb_writer *w);
/* Closes the file; returns -1 if anything could not be written. */
int tb_writer_close(tb_writer *w, dc_err *e);

/* One event with n scalar values (tags[i], values[i]). */
int tb_write_scalars(tb_writer *w, long step, const char *const *tags, const float *values,
                     int n, dc_err *e);
/* One event with a histogram of n values (non-finite values are left out). */
int tb_write_histogram(tb_writer *w, long step, const char *tag, const float *values, size_t n,
                       dc_err *e);
/* One event with an image: H rows of W*C bytes, C = 1 (gray) or 3 (RGB), PNG-encoded. */
int tb_write_image(tb_writer *w, long step, const char *tag, const uint8_t *pixels, int W,
                   int H, int C, dc_err *e);
/* The same with an image already PNG-encoded in a file (W, H, C as stored in it). */
int tb_write_png_file(tb_writer *w, long step, const char *tag, const char *png_path, int W,
                      int H, int C, dc_err *e);
/* A SessionLog START event at `step`: TensorBoard then drops the events of earlier files with
 * step >= `step` (what a crashed run wrote after its last checkpoint). */
int tb_write_session_start(tb_writer *w, long step, dc_err *e);

/* The pieces, for tests. */
/* Frames data as one record into out (appending). */
void tb_record_frame(pb_buf *out, const void *data, size_t n);
/* Encodes a HistogramProto of the n values. */
void tb_histogram_encode(pb_buf *out, const float *values, size_t n);

#endif
