"""Email adapters: the request queue (SQS) and sending (SES). The texts are in the domain."""
