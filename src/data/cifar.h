/* CIFAR-10's binary format ("CIFAR-10 binary version", cifar-10-batches-bin/): data_batch_1.bin
 * .. data_batch_5.bin (the 50,000 training images) and test_batch.bin (10,000), each a run of
 * 3073-byte records: one label byte (0..9), then 32x32 red, green and blue planes of
 * row-major bytes. batches.meta.txt, when present, names the classes, one a line. */
#ifndef DCGAN_DATA_CIFAR_H
#define DCGAN_DATA_CIFAR_H

#include "core/error.h"
#include "data/dataset.h"

#define CIFAR_SIDE 32
#define CIFAR_CLASSES 10
#define CIFAR_RECORD_BYTES (1 + 3 * CIFAR_SIDE * CIFAR_SIDE)

/* 1 if dir holds CIFAR-10 binary batches (data_batch_1.bin or test_batch.bin). */
int cifar_dir_has_batches(const char *dir);

/* The training batches (parts_mask DATASET_IDX_TRAIN: all five, in order), the test batch
 * (DATASET_IDX_TEST) or both (training first), in file order, into a memory-backed dataset
 * of (3, 32, 32) items in [0, 1] with 10 labelled classes: the names of batches.meta.txt, or
 * CIFAR-10's ("airplane", ..., "truck") without it. A missing file, a length that is not a
 * whole number of records, a label above 9 or a short meta file is an error naming the file. */
int dataset_load_cifar(dataset *ds, const char *dir, int parts_mask, dc_err *e);

#endif
