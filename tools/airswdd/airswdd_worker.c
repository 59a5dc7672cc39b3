/*
 * airswdd_worker.c - the thread that runs flash jobs while the HTTP loop keeps serving (airswdd.h).
 */
#include "airswdd.h"

#include "airswdd_console.h"

void airswdd_lock(void *ctx)
{
    pthread_mutex_lock(ctx);
}

void airswdd_unlock(void *ctx)
{
    pthread_mutex_unlock(ctx);
}

static void *worker_main(void *ctx)
{
    struct airswdd_worker *worker = ctx;
    for (;;) {
        pthread_mutex_lock(&worker->mutex);
        while (!worker->queued && !worker->quit)
            pthread_cond_wait(&worker->wake, &worker->mutex);
        bool quit = worker->quit && !worker->queued;
        worker->queued = false;
        pthread_mutex_unlock(&worker->mutex);
        if (quit)
            return NULL;
        /* Held from before the job reads the setting itself: a change in between holds the line for nothing. */
        struct service_settings settings;
        service_settings_get(&worker->device->service, &settings);
        bool through_rom = settings.transport != JOB_TRANSPORT_SWD && service_job_busy(&worker->device->service);
        if (through_rom)
            airswdd_console_hold_for_job(&worker->device->service, true);
        device_run_jobs(worker->device);
        if (through_rom)
            airswdd_console_hold_for_job(&worker->device->service, false);
        if (worker->idle)
            worker->idle(worker->idle_ctx);
    }
}

bool airswdd_worker_start(struct airswdd_worker *worker, struct device *device)
{
    worker->device = device;
    worker->queued = false;
    worker->quit = false;
    pthread_mutex_init(&worker->mutex, NULL);
    pthread_cond_init(&worker->wake, NULL);
    return pthread_create(&worker->thread, NULL, worker_main, worker) == 0;
}

void airswdd_worker_notify(void *ctx)
{
    struct airswdd_worker *worker = ctx;
    pthread_mutex_lock(&worker->mutex);
    worker->queued = true;
    pthread_cond_signal(&worker->wake);
    pthread_mutex_unlock(&worker->mutex);
}

void airswdd_worker_stop(struct airswdd_worker *worker)
{
    pthread_mutex_lock(&worker->mutex);
    worker->quit = true;
    pthread_cond_signal(&worker->wake);
    pthread_mutex_unlock(&worker->mutex);
    pthread_join(worker->thread, NULL);
    pthread_cond_destroy(&worker->wake);
    pthread_mutex_destroy(&worker->mutex);
}
