// Package cloudevent reads CloudEvents 1.0 from HTTP requests, in the
// binary and structured content modes of the CloudEvents HTTP binding, and
// turns them into anyfaas's standard events. The gcf and web adapters share
// it, so a function sees the same event from Eventarc on Cloud Run
// functions, Eventarc on Cloud Run services and Knative Eventing.
//
// A CloudEvent becomes a standard event by its type:
//
//	google.cloud.storage.object.v1.finalized        *faas.StorageEvent, Op "created"
//	google.cloud.storage.object.v1.deleted          *faas.StorageEvent, Op "removed"
//	google.cloud.storage.object.v1.<other>          *faas.StorageEvent, Op "<other>"
//	google.cloud.pubsub.topic.v1.messagePublished   *faas.MessageEvent
//	google.cloud.scheduler.job.v1.executed          *faas.TimerEvent
//	dev.knative.sources.ping                        *faas.TimerEvent (Knative PingSource)
//	google.cloud.audit.log.v1.*                     *faas.RawEvent, trigger "log"
//	google.firebase.*                               *faas.RawEvent, trigger "firebase"
//	google.cloud.<service>.*                        *faas.RawEvent, trigger "<service>"
//	anything else                                   *faas.RawEvent, trigger "cloudevent"
//
// A timer's Time is never zero: it is the X-CloudScheduler-ScheduleTime
// header that Cloud Scheduler sends (HeaderSchedulerScheduleTime), else
// the event's time, else the time the event arrived.
//
// An event delivered to the path /<name> of a function of the App is for
// that function (PathFunction).
//
// A RawEvent's Kind is the CloudEvent's type and its JSON the event in the
// CloudEvents JSON format, whatever the mode it came in. An event that
// cannot be read is a *faas.DecodeError naming the attribute or field.
package cloudevent
