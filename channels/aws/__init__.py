"""AWS deployables: the Lex V2 forwarder Lambda, Connect flow and Lex bot sketches."""
