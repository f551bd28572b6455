"""Infrastructure: the local stack (moto) here; the AWS stack comes with the deploy issue."""
