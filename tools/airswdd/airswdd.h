/*
 * airswdd.h - the airswd daemon on Linux: the device service (src/service) and its REST API (src/net/api.h)
 * served over TCP, with flash jobs run by a worker thread.
 */
#ifndef AIRSWDD_H
#define AIRSWDD_H

#include <pthread.h>
#include <stdbool.h>

#include "service/service.h"

/* The job thread: waits for queued jobs and runs them, until airswdd_worker_stop(). */
struct airswdd_worker {
    struct service *service;
    pthread_t thread;
    pthread_mutex_t mutex; /* guards queued and quit */
    pthread_cond_t wake;
    bool queued;
    bool quit;
};

bool airswdd_worker_start(struct airswdd_worker *worker, struct service *service);
/* service_config.job_queued. */
void airswdd_worker_notify(void *ctx);
/* Lets the running job end (the caller cancels it first if it must stop soon) and joins the thread. */
void airswdd_worker_stop(struct airswdd_worker *worker);

/* service_config.lock / unlock over a pthread mutex. */
void airswdd_lock(void *ctx);
void airswdd_unlock(void *ctx);

#endif /* AIRSWDD_H */
