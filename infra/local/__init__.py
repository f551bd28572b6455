"""The whole portal on one machine, with moto standing in for AWS (`make run`)."""
