/*
 * job_internal.h - what the files of the flash job share.
 */
#ifndef AIRSWD_JOB_INTERNAL_H
#define AIRSWD_JOB_INTERNAL_H

#include "job/job.h"
#include "stm32/stm32_flash.h"

/* One reading of the file into sink, in AIRSWD_JOB_CHUNK pieces. */
enum status job_read_pass(struct job *job, const struct image_sink *sink);
/* One reading into the writer: a rehearsal when output is NULL. */
enum status job_writer_pass(struct job *job, const struct image_writer_output *output);
enum status job_program_pass(struct job *job);
/* The data EEPROM bytes of the image (after the flash's program pass); nothing when it has none. */
enum status job_eeprom_pass(struct job *job);
bool job_uses_loader(const struct job *job);
enum status job_verify_pass(struct job *job);
enum status job_erase(struct job *job);
/* JOB_ACTION_ERASE: every erase unit of the part (job_erase_chip) and JOB_ACTION_READ (job_read.c). */
enum status job_erase_chip(struct job *job);
enum status job_read_memory(struct job *job);

/* The ring-buffer loader (job_loader.c): load it, program through it (whole units, any order), end the session:
 * finish lets the loader program everything queued and fails unless it did; abandon (after a failure) halts it
 * where it is, leaving the report to the failure. */
enum status job_loader_prepare(struct job *job);
/* Whether the loader can program all of the part's flash (it drives one set of flash registers: not an F1 XL's
 * second bank). */
enum status job_loader_program(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len);
enum status job_loader_finish(struct job *job);
void job_loader_abandon(struct job *job);

/* The CRC-32 stub (job_crc.c): load it once, then run it over target memory. */
enum status job_crc_load(struct job *job);
enum status job_crc_run(struct job *job, uint32_t address, uint32_t len, uint32_t *crc);
/* Raises a slow reset clock for routines, as the part table says (saved[] receives the old values), and puts it
 * back. */
enum status job_clock_boost(struct job *job, uint32_t saved[STM32_CLOCK_BOOST_STEPS], unsigned *changed);
enum status job_clock_restore(struct job *job, const uint32_t saved[STM32_CLOCK_BOOST_STEPS], unsigned changed);

/* --skip-unchanged (job_skip.c): marks the erase units that already hold the image; then asks about one. */
enum status job_find_unchanged(struct job *job);
bool job_unit_unchanged(const struct job *job, uint32_t index);

/* The backend (job_backend.h): what it can do, and its optional steps around erasing and programming. */
bool job_can(const struct job *job, unsigned capability);
enum status job_flash_begin(struct job *job);
enum status job_flash_end(struct job *job);
/* Typical time of a mass erase of the part (F2/F4: by the flash size). */
uint64_t job_mass_erase_us(const struct job *job);

/* Reports progress in the current phase. */
void job_progress(struct job *job, uint32_t done, uint32_t total);

#endif /* AIRSWD_JOB_INTERNAL_H */
